/**
 * Platform keys declared once and handed to every consumer the config names: GitHub Actions
 * secrets (repository or environment), GitLab CI/CD variables (masked), Appwrite function
 * variables, Supabase Edge Function secrets and Expo (EAS) environment variables. Rotating a key is one config change: every copy
 * follows on the next `up`; removing a consumer removes its copy.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { AppwriteFunctionVariable, type AppwriteFunctionVariableArgs } from "../../dynamic-providers/appwrite/function-variable";
import { ExpoVariable, type ExpoVariableArgs } from "../../dynamic-providers/expo/variable";
import { GitlabVariable, type GitlabVariableArgs } from "../../dynamic-providers/gitlab/variable";
import { SupabaseSecretSet, type SupabaseSecretSetArgs } from "../../dynamic-providers/supabase/secrets";
import { transformed, type Transform } from "../component";
import type { CodeRepository } from "../github/code-repository";

export const PLATFORM_KEYS_TYPE = "stackwire:keys:PlatformKeys";

export type KeyValues = Record<string, Record<string, string | undefined> | undefined>;

/** One place a key is handed to. */
export interface KeyConsumer {
    /** The key, as "platform.field": "openai.apiKey". */
    reference: string;
    kind: "githubSecret" | "gitlabVariable" | "appwriteFunction" | "supabaseSecret" | "expoVariable";
    /** The variable or secret name the consumer sees. */
    name: string;
    /** Logical repository (GitHub, GitLab) or function id (Appwrite); absent for Supabase. */
    target?: string;
    /** A GitHub deployment environment, for an environment secret. */
    environment?: string;
    /** A GitLab variable only on protected branches and tags. */
    protected?: boolean;
    /** An Expo variable's EAS environments and visibility. */
    environments?: string[];
    visibility?: "PUBLIC" | "SENSITIVE" | "SECRET";
}

export interface PlatformKeysArgs {
    /** Every platform's keys, {platform: {field: value}}; secret. */
    keys: pulumi.Input<KeyValues>;
    consumers: KeyConsumer[];
    /** Repositories by logical name, for GitHub secrets and GitLab variables. */
    repositories?: Record<string, CodeRepository>;
    githubProvider?: github.Provider;
    /** A self-managed GitLab for the GitLab variables. @default https://gitlab.com */
    gitlabBaseUrl?: pulumi.Input<string>;
    appwrite?: { endpoint: pulumi.Input<string>; projectId: pulumi.Input<string> };
    supabase?: { projectRef: pulumi.Input<string>; managementUrl?: pulumi.Input<string> };
    /** The EAS project for Expo variables. */
    expo?: { projectId: string; baseUrl?: string };
    transform?: {
        githubSecret?: Transform<github.ActionsSecretArgs>;
        githubEnvironmentSecret?: Transform<github.ActionsEnvironmentSecretArgs>;
        gitlabVariable?: Transform<GitlabVariableArgs>;
        appwriteVariable?: Transform<AppwriteFunctionVariableArgs>;
        supabaseSecrets?: Transform<SupabaseSecretSetArgs>;
        expoVariable?: Transform<ExpoVariableArgs>;
    };
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
            const secretArgs: SupabaseSecretSetArgs = { projectRef: args.supabase.projectRef, ...(args.supabase.managementUrl ? { managementUrl: args.supabase.managementUrl } : {}), secrets: supabaseSecrets };
            new SupabaseSecretSet(...transformed(args.transform?.supabaseSecrets, `${name}-supabase-secrets`, secretArgs, { parent: this }));
        }
        this.registerOutputs({ consumersByKey: this.consumersByKey });
    }

    private createConsumer(name: string, c: KeyConsumer, value: pulumi.Output<string>, args: PlatformKeysArgs, supabaseSecrets: Record<string, pulumi.Output<string>>): string {
        const github_ = { parent: this, ...(args.githubProvider ? { provider: args.githubProvider } : {}) };
        const t = args.transform ?? {};
        switch (c.kind) {
            case "githubSecret": {
                const repository = args.repositories![c.target!].repository.name;
                if (c.environment) {
                    new github.ActionsEnvironmentSecret(...transformed(t.githubEnvironmentSecret, `${name}-github-${c.target}-${c.environment}-${c.name}`, { repository, environment: c.environment, secretName: c.name, plaintextValue: value }, github_));
                    return `github:${c.target}:${c.environment}:${c.name}`;
                }
                new github.ActionsSecret(...transformed(t.githubSecret, `${name}-github-${c.target}-${c.name}`, { repository, secretName: c.name, plaintextValue: value }, github_));
                return `github:${c.target}:${c.name}`;
            }
            case "gitlabVariable": {
                const project = args.repositories![c.target!].gitlabProject!;
                // Raw: keys are never expanded, and raw values may be masked whatever their characters.
                const variableArgs: GitlabVariableArgs = { ...(args.gitlabBaseUrl ? { baseUrl: args.gitlabBaseUrl } : {}), projectId: project.id, key: c.name, value, masked: true, raw: true, protected: c.protected ?? false };
                new GitlabVariable(...transformed(t.gitlabVariable, `${name}-gitlab-${c.target}-${c.name}`, variableArgs, { parent: this }));
                return `gitlab:${c.target}:${c.name}`;
            }
            case "appwriteFunction": {
                new AppwriteFunctionVariable(...transformed(t.appwriteVariable, `${name}-appwrite-${c.target}-${c.name}`, { ...args.appwrite!, functionId: c.target!, key: c.name, value }, { parent: this }));
                return `appwrite:${c.target}:${c.name}`;
            }
            case "supabaseSecret":
                supabaseSecrets[c.name] = value;
                return `supabase:${c.name}`;
            case "expoVariable": {
                const environments = c.environments ?? [];
                const variableArgs: ExpoVariableArgs = { ...(args.expo?.baseUrl ? { baseUrl: args.expo.baseUrl } : {}), projectId: args.expo!.projectId, name: c.name, value, visibility: c.visibility ?? "SECRET", environments };
                // Named by the variable alone: its environments change in place.
                new ExpoVariable(...transformed(t.expoVariable, `${name}-expo-${c.name}`, variableArgs, { parent: this }));
                return `expo:${environments.join(",")}:${c.name}`;
            }
        }
    }
}
