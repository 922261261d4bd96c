/**
 * Platform keys declared once and handed to every consumer the config names: GitHub Actions
 * secrets (repository or environment), GitLab CI/CD variables (masked), Appwrite function
 * variables and Supabase Edge Function secrets. Rotating a key is one config change: every copy
 * follows on the next `up`; removing a consumer removes its copy.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { AppwriteFunctionVariable } from "../dynamic-providers/appwrite/function-variable";
import { GitlabVariable } from "../dynamic-providers/gitlab/variable";
import { SupabaseSecretSet } from "../dynamic-providers/supabase/secrets";
import type { PlannedConsumer } from "../stacks/config";
import type { CodeRepository } from "./code-repository";

export const PLATFORM_KEYS_TYPE = "stackwire:keys:PlatformKeys";

export type KeyValues = Record<string, Record<string, string | undefined> | undefined>;

export interface PlatformKeysArgs {
    /** Every platform's keys, {platform: {field: value}}; secret. */
    keys: pulumi.Input<KeyValues>;
    consumers: PlannedConsumer[];
    /** Repositories by logical name, for GitHub secrets and GitLab variables. */
    repositories?: Record<string, CodeRepository>;
    githubProvider?: github.Provider;
    appwrite?: { endpoint: pulumi.Input<string>; projectId: pulumi.Input<string> };
    supabase?: { projectRef: pulumi.Input<string>; managementUrl?: pulumi.Input<string> };
}

export class PlatformKeys extends pulumi.ComponentResource {
    /** Where each key went ("github:app:OPENAI_API_KEY"), by key reference; names only. */
    public readonly consumersByKey: Record<string, string[]>;

    constructor(name: string, args: PlatformKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super(PLATFORM_KEYS_TYPE, name, {}, opts);
        const keys = pulumi.secret(pulumi.output(args.keys));
        const valueOf = (reference: string) => {
            const [platform, field] = reference.split(".");
            return pulumi.secret(keys.apply((k) => k[platform]?.[field] ?? ""));
        };
        this.consumersByKey = {};
        const supabaseSecrets: Record<string, pulumi.Output<string>> = {};
        for (const c of args.consumers) {
            const value = valueOf(c.reference);
            const where = this.createConsumer(name, c, value, args, supabaseSecrets);
            (this.consumersByKey[c.reference] ??= []).push(where);
        }
        if (Object.keys(supabaseSecrets).length > 0 && args.supabase) {
            new SupabaseSecretSet(`${name}-supabase-secrets`, { projectRef: args.supabase.projectRef, ...(args.supabase.managementUrl ? { managementUrl: args.supabase.managementUrl } : {}), secrets: supabaseSecrets }, { parent: this });
        }
        this.registerOutputs({ consumersByKey: this.consumersByKey });
    }

    private createConsumer(name: string, c: PlannedConsumer, value: pulumi.Output<string>, args: PlatformKeysArgs, supabaseSecrets: Record<string, pulumi.Output<string>>): string {
        const github_ = { parent: this, ...(args.githubProvider ? { provider: args.githubProvider } : {}) };
        switch (c.kind) {
            case "githubSecret": {
                const repository = args.repositories![c.target!].repository.name;
                if (c.environment) {
                    new github.ActionsEnvironmentSecret(`${name}-github-${c.target}-${c.environment}-${c.name}`, { repository, environment: c.environment, secretName: c.name, plaintextValue: value }, github_);
                    return `github:${c.target}:${c.environment}:${c.name}`;
                }
                new github.ActionsSecret(`${name}-github-${c.target}-${c.name}`, { repository, secretName: c.name, plaintextValue: value }, github_);
                return `github:${c.target}:${c.name}`;
            }
            case "gitlabVariable": {
                const project = args.repositories![c.target!].gitlabProject!;
                // Raw: keys are never expanded, and raw values may be masked whatever their characters.
                new GitlabVariable(`${name}-gitlab-${c.target}-${c.name}`, { projectId: project.id, key: c.name, value, masked: true, raw: true, protected: c.protected ?? false }, { parent: this });
                return `gitlab:${c.target}:${c.name}`;
            }
            case "appwriteFunction": {
                new AppwriteFunctionVariable(`${name}-appwrite-${c.target}-${c.name}`, { ...args.appwrite!, functionId: c.target!, key: c.name, value }, { parent: this });
                return `appwrite:${c.target}:${c.name}`;
            }
            case "supabaseSecret":
                supabaseSecrets[c.name] = value;
                return `supabase:${c.name}`;
        }
    }
}
