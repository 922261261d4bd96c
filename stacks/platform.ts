/**
 * The platform composition: which components a validated stack config implies, and how their
 * outputs feed each other. Grows one service at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import { SupabaseStorage } from "../components/supabase-storage";
import type { StackConfig } from "./config";
import type { Environment } from "./environment";

export interface Platform {
    supabaseStorage?: SupabaseStorage;
}

export function buildPlatform(config: StackConfig, environment: Environment): Platform {
    const platform: Platform = {};
    if (config.supabase) {
        platform.supabaseStorage = new SupabaseStorage("supabase-storage", {
            projectUrl: config.supabase.url,
            buckets: config.supabase.buckets,
            environment,
        });
    }
    return platform;
}

/** Stack outputs: what other stacks and people read with `pulumi stack output`. */
export function platformOutputs(platform: Platform, environment: Environment): Record<string, pulumi.Input<unknown>> {
    return {
        environment: environment.kind,
        supabaseBucketIds: platform.supabaseStorage?.bucketIds,
    };
}
