/** GitHub: repositories with protection, webhooks, Actions settings, and optional GitLab mirrors. */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CodeRepository, type CodeRepositoryArgs } from "../../components/github/code-repository";
import type { CredentialSpec } from "../../dynamic-providers/core/credentials";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { hookInputSchema, maskingProblem, VARIABLE_KEY_PATTERN } from "../../dynamic-providers/gitlab/schema";
import { dataPolicyOf } from "../environment";
import { GITHUB_REPOSITORY_NAME, NAME_RULES, physicalName } from "../naming";
import { adoptionOf, adoptSetting, defineService, logicalName, sectionOf } from "../service";
import type { gitlabService } from "./gitlab";

/** The GitHub token, for the GitHub provider and the mirrors' URLs. */
export const githubToken: CredentialSpec = { configKey: "githubToken", envVars: ["GITHUB_TOKEN"], label: "GitHub token" };

/** Events a repository webhook may subscribe to ("*" is all). */
export const GITHUB_WEBHOOK_EVENTS: readonly string[] = [
    "*", "branch_protection_rule", "check_run", "check_suite", "code_scanning_alert", "commit_comment", "create", "delete",
    "dependabot_alert", "deploy_key", "deployment", "deployment_protection_rule", "deployment_review", "deployment_status",
    "discussion", "discussion_comment", "fork", "gollum", "issue_comment", "issues", "label", "member", "merge_group", "meta",
    "milestone", "package", "page_build", "project", "project_card", "project_column", "public", "pull_request",
    "pull_request_review", "pull_request_review_comment", "pull_request_review_thread", "push", "registry_package", "release",
    "repository", "repository_advisory", "repository_import", "repository_ruleset", "repository_vulnerability_alert",
    "secret_scanning_alert", "secret_scanning_alert_location", "security_and_analysis", "star", "status", "team_add", "watch",
    "workflow_dispatch", "workflow_job", "workflow_run",
];

const gitlabVariable = z
    .object({ value: z.string(), masked: z.boolean().default(true), protected: z.boolean().default(false), raw: z.boolean().default(false) })
    .strict()
    .superRefine((v, ctx) => {
        const problem = v.masked ? maskingProblem(v.value, v.raw) : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: `cannot be masked: ${problem}`, input: undefined });
    });

const repository = z
    .object({
        /** The repository's name on GitHub. @default stackwire-<stack>-<logical name> */
        name: z.string().regex(GITHUB_REPOSITORY_NAME, "must be a GitHub repository name: letters, digits, . _ - and at most 100 characters").optional(),
        description: z.string().max(350).optional(),
        visibility: z.enum(["public", "private", "internal"]).default("private"),
        topics: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, "must be a GitHub topic: lower-case letters, digits and hyphens, at most 50 characters")).max(20).default([]),
        defaultBranch: z.string().min(1).default("main"),
        protection: z
            .object({ requiredReviews: z.number().int().min(0).max(10).default(1), requiredChecks: z.array(z.string().min(1)).default([]), dismissStaleReviews: z.boolean().default(true) })
            .strict()
            .optional(),
        webhooks: z
            .record(logicalName, z.object({ url: httpUrl(), events: z.array(z.string().refine((e) => GITHUB_WEBHOOK_EVENTS.includes(e), "must be a GitHub webhook event such as push, pull_request or issues")).min(1) }).strict())
            .default({}),
        variables: z.record(z.string().regex(/^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/, "must be an Actions variable name: letters, digits and _, not starting with GITHUB_"), z.string()).default({}),
        gitlabMirror: z
            .object({
                direction: z.enum(["pull", "push", "both"]),
                namespaceId: z.number().int().positive().optional(),
                triggerBuilds: z.boolean().default(false),
                onlyProtectedBranches: z.boolean().default(false),
                variables: z.record(z.string().regex(VARIABLE_KEY_PATTERN, "must be letters, digits and _ only, at most 255 characters"), gitlabVariable).default({}),
                webhooks: z.record(logicalName, hookInputSchema().pick({ url: true, events: true, enableSslVerification: true }).extend({ adopt: adoptSetting }).strict()).default({}),
                /** The GitLab project as it is named and described; new mirrors take the repository's name. */
                name: z.string().min(1).max(255).optional(),
                description: z.string().max(2000).optional(),
                visibility: z.enum(["private", "internal", "public"]).optional(),
                /** Take over an existing GitLab project by its id, and its pull mirror with it (docs/adoption.md). */
                adopt: adoptSetting,
            })
            .strict()
            .optional(),
        /** Take over an existing repository by its name, with Pulumi's import (docs/adoption.md). */
        adopt: adoptSetting,
    })
    .strict();

const section = z.object({ baseUrl: httpUrl().optional(), owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "must be a GitHub user or organization name: letters, digits and single inner hyphens, at most 39 characters"), repositories: z.record(logicalName, repository).default({}) }).strict();

/** A repository as planned: everything but the token and the provider, which the program reads. */
export type PlannedRepository = Omit<CodeRepositoryArgs, "githubToken" | "provider">;

export interface GithubPlan {
    owner: string;
    /** GitHub Enterprise Server's API. @default https://api.github.com */
    baseUrl?: string;
    repositories: Record<string, PlannedRepository>;
}

export interface GithubPlatform {
    /** One provider: the repositories, mirrors and key consumers share owner and token. */
    provider: github.Provider;
    repositories: Record<string, CodeRepository>;
}

export const githubService = defineService({
    key: "github",
    section,
    secrets: [{ credential: githubToken }],

    plan(s, ctx): GithubPlan {
        const gitlabBaseUrl = sectionOf<typeof gitlabService>(ctx.settings, "gitlab")?.baseUrl;
        const policy = dataPolicyOf(ctx.env);
        const repositories = Object.fromEntries(
            Object.entries(s.repositories).map(([name, r]): [string, PlannedRepository] => {
                if (r.adopt && r.name !== undefined && r.name !== r.adopt.id) ctx.problem(`github.repositories.${name}.adopt`, `adopts repository "${r.adopt.id}" but name says "${r.name}": an adopted repository keeps its name`);
                const repositoryName = r.adopt?.id ?? r.name ?? ctx.name(`github.repositories.${name}`, () => physicalName(ctx.env, name, NAME_RULES.githubRepository));
                return [
                    name,
                    {
                        repositoryName,
                        owner: s.owner,
                        description: r.description,
                        visibility: r.visibility,
                        topics: r.topics,
                        defaultBranch: r.defaultBranch,
                        protection: r.protection,
                        webhooks: r.webhooks,
                        actionsVariables: r.variables,
                        gitlabMirror: r.gitlabMirror && (({ adopt, webhooks, ...mirror }) => ({ ...mirror, ...adoptionOf(adopt), webhooks: Object.fromEntries(Object.entries(webhooks).map(([k, { adopt: a, ...hook }]) => [k, { ...hook, ...adoptionOf(a) }])), ...(gitlabBaseUrl ? { baseUrl: gitlabBaseUrl } : {}) }))(r.gitlabMirror),
                        policy,
                        ...adoptionOf(r.adopt),
                    },
                ];
            }),
        );
        return { owner: s.owner, ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}), repositories };
    },

    build(plan, ctx): GithubPlatform {
        const token = ctx.secret(githubToken);
        const provider = new github.Provider("github", { owner: plan.owner, ...(plan.baseUrl ? { baseUrl: plan.baseUrl } : {}), ...(token ? { token } : {}) });
        const repositories = Object.fromEntries(Object.entries(plan.repositories).map(([name, args]) => [name, new CodeRepository(`github-${name}`, { ...args, githubToken: token, provider })]));
        return { provider, repositories };
    },

    outputs: ({ repositories }) => {
        const byName = <V>(pick: (r: CodeRepository) => pulumi.Input<V> | undefined) =>
            pulumi.output(Object.fromEntries(Object.entries(repositories).flatMap(([name, r]) => (pick(r) === undefined ? [] : [[name, pick(r)]])))) as pulumi.Output<Record<string, V>>;
        return {
            githubRepositoryUrls: byName((r) => r.htmlUrl),
            githubWebhookSecrets: pulumi.secret(byName((r) => r.webhookSecrets)),
            gitlabWebhookSecrets: pulumi.secret(byName((r) => r.gitlabProject && r.gitlabWebhookSecrets)),
            gitlabProjectIds: byName((r) => r.gitlabProject?.id),
        };
    },
});
