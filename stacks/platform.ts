/**
 * The platform composition: which components a validated stack config implies, and how their
 * outputs feed each other. Grows one service at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppwriteDatabase } from "../components/appwrite-database";
import { AppwriteStorage } from "../components/appwrite-storage";
import { StripeCatalog } from "../components/stripe-catalog";
import { SupabaseStorage } from "../components/supabase-storage";
import type { StackConfig } from "./config";
import type { Environment } from "./environment";

export interface Platform {
    supabaseStorage?: SupabaseStorage;
    stripeCatalog?: StripeCatalog;
    appwriteDatabases?: Record<string, AppwriteDatabase>;
    appwriteStorage?: AppwriteStorage;
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
    if (config.stripe) {
        platform.stripeCatalog = new StripeCatalog("stripe", {
            apiBase: config.stripe.apiBase,
            keyModes: config.stripe.keyModes,
            products: config.stripe.products,
            webhooks: config.stripe.webhooks.map(({ name, settings: { url, ...settings } }) => ({ name, url, settings })),
            environment,
        });
    }
    if (config.appwrite) {
        const { endpoint, projectId } = config.appwrite;
        platform.appwriteDatabases = Object.fromEntries(
            config.appwrite.databases.map((database) => [database.name, new AppwriteDatabase(`appwrite-${database.name}`, { endpoint, projectId, database, environment })]),
        );
        if (config.appwrite.buckets.length > 0) platform.appwriteStorage = new AppwriteStorage("appwrite-storage", { endpoint, projectId, buckets: config.appwrite.buckets, environment });
    }
    return platform;
}

/** Stack outputs: what other stacks and people read with `pulumi stack output`. */
export function platformOutputs(platform: Platform, environment: Environment): Record<string, pulumi.Input<unknown>> {
    return {
        environment: environment.kind,
        supabaseBucketIds: platform.supabaseStorage?.bucketIds,
        stripeProductIds: platform.stripeCatalog?.productIds,
        stripePriceIds: platform.stripeCatalog?.priceIds,
        stripeLookupKeys: platform.stripeCatalog?.lookupKeys,
        stripeWebhookSecrets: platform.stripeCatalog?.webhookSecrets,
        appwriteDatabaseIds: platform.appwriteDatabases && pulumi.output(Object.fromEntries(Object.entries(platform.appwriteDatabases).map(([n, d]) => [n, d.databaseId]))),
        appwriteBucketIds: platform.appwriteStorage?.bucketIds,
    };
}
