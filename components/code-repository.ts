/**
 * A code repository on GitHub (official provider) with protection of its default branch,
 * webhooks signed with generated secrets, Actions secrets and variables handed in by other
 * components, and optionally a GitLab project that mirrors it: pull (GitLab follows GitHub), push
 * (GitLab pushes to GitHub), or both. In prod the repository is protected and archived rather
 * than deleted.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GitlabProjectHook, type GitlabHookEvent } from "../dynamic-providers/gitlab/hook";
import { GitlabPullMirror, GitlabPushMirror } from "../dynamic-providers/gitlab/mirrors";
import { GitlabProject } from "../dynamic-providers/gitlab/project";
import { GitlabVariable } from "../dynamic-providers/gitlab/variable";
import type { Environment } from "../stacks/environment";

export const CODE_REPOSITORY_TYPE = "stackwire:github:CodeRepository";

/** GitHub's rule for repository names. */
export const GITHUB_REPO_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

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

export interface BranchProtection {
    /** Approving reviews a pull request needs. @default 1 */
    requiredReviews?: number;
    /** Status checks (job names) that must pass. */
    requiredChecks?: string[];
    /** @default true */
    dismissStaleReviews?: boolean;
}

export interface GitlabMirrorArgs {
    /** @default https://gitlab.com */
    baseUrl?: pulumi.Input<string>;
    namespaceId?: pulumi.Input<number>;
    /** pull: GitLab follows GitHub; push: GitLab pushes to GitHub; both. */
    direction: "pull" | "push" | "both";
    /** Run GitLab pipelines for mirrored commits. @default false */
    triggerBuilds?: boolean;
    /** Mirror only protected branches. @default false */
    onlyProtectedBranches?: boolean;
    /** CI/CD variables of the GitLab project (values secret). */
    variables?: Record<string, { value: pulumi.Input<string>; masked?: boolean; protected?: boolean; raw?: boolean }>;
    /** Project webhooks by name; GitLab sends a generated secret token in X-Gitlab-Token. */
    webhooks?: Record<string, { url: pulumi.Input<string>; events: GitlabHookEvent[] }>;
}

export interface CodeRepositoryArgs {
    /** Repository name on GitHub. */
    repositoryName: string;
    /** The owner (user or organisation) the GitHub provider acts for. */
    owner: pulumi.Input<string>;
    /** A GitHub token able to read and push the repository, for the mirrors' URLs; secret. */
    githubToken?: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** @default "private" */
    visibility?: pulumi.Input<"public" | "private" | "internal">;
    topics?: pulumi.Input<string[]>;
    /** @default "main" */
    defaultBranch?: string;
    /** Creates the default branch with a README. @default true */
    autoInit?: boolean;
    merge?: { squash?: boolean; mergeCommit?: boolean; rebase?: boolean };
    /** @default true */
    deleteBranchOnMerge?: boolean;
    /** @default true */
    vulnerabilityAlerts?: boolean;
    protection?: BranchProtection;
    /** Webhooks by name: JSON payloads, signed with a generated secret. */
    webhooks?: Record<string, { url: pulumi.Input<string>; events: string[] }>;
    /** Actions secrets by name; values stay secret. */
    actionsSecrets?: Record<string, pulumi.Input<string>>;
    actionsVariables?: Record<string, pulumi.Input<string>>;
    gitlabMirror?: GitlabMirrorArgs;
    environment: Environment;
    /** The GitHub provider to use (owner and token). @default the default provider */
    provider?: github.Provider;
}

export class CodeRepository extends pulumi.ComponentResource {
    public readonly repository: github.Repository;
    public readonly htmlUrl: pulumi.Output<string>;
    /** Webhook signing secrets by name; secret. */
    public readonly webhookSecrets: pulumi.Output<Record<string, string>>;
    public readonly gitlabProject?: GitlabProject;
    /** The GitLab project's webhook tokens by name; secret, empty without a mirror. */
    public readonly gitlabWebhookSecrets: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: CodeRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CODE_REPOSITORY_TYPE, name, {}, opts);
        const child = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
        this.repository = this.createRepository(name, args, child);
        this.htmlUrl = this.repository.htmlUrl;
        // The first commit lands on GitHub's default branch name; rename it to the one declared.
        new github.BranchDefault(`${name}-default-branch`, { repository: this.repository.name, branch: args.defaultBranch ?? "main", rename: true }, child);
        if (args.protection) this.createProtection(name, args, child);
        this.webhookSecrets = this.createWebhooks(name, args, child);
        this.createActionsSettings(name, args, child);
        if (args.gitlabMirror) {
            this.gitlabProject = this.createGitlabMirror(name, args, args.gitlabMirror);
            this.gitlabWebhookSecrets = this.createGitlabWebhooks(name, args.gitlabMirror, this.gitlabProject);
        } else {
            this.gitlabWebhookSecrets = pulumi.secret(pulumi.output<Record<string, string>>({}));
        }
        this.registerOutputs({ htmlUrl: this.htmlUrl, webhookSecrets: this.webhookSecrets, gitlabWebhookSecrets: this.gitlabWebhookSecrets });
    }

    private createRepository(name: string, args: CodeRepositoryArgs, child: pulumi.CustomResourceOptions): github.Repository {
        const prod = args.environment.protectStateful;
        return new github.Repository(
            `${name}-repo`,
            {
                name: args.repositoryName,
                description: args.description,
                visibility: args.visibility ?? "private",
                topics: args.topics,
                autoInit: args.autoInit ?? true,
                allowSquashMerge: args.merge?.squash ?? true,
                allowMergeCommit: args.merge?.mergeCommit ?? false,
                allowRebaseMerge: args.merge?.rebase ?? false,
                deleteBranchOnMerge: args.deleteBranchOnMerge ?? true,
                vulnerabilityAlerts: args.vulnerabilityAlerts ?? true,
                // In prod a destroy archives the repository: its history is never deleted.
                archiveOnDestroy: prod,
            },
            { ...child, protect: prod },
        );
    }

    private createProtection(name: string, args: CodeRepositoryArgs, child: pulumi.CustomResourceOptions): void {
        const p = args.protection!;
        new github.RepositoryRuleset(
            `${name}-protection`,
            {
                repository: this.repository.name,
                name: "default-branch",
                target: "branch",
                enforcement: "active",
                conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
                rules: {
                    deletion: true,
                    nonFastForward: true,
                    pullRequest: { requiredApprovingReviewCount: p.requiredReviews ?? 1, dismissStaleReviewsOnPush: p.dismissStaleReviews ?? true },
                    ...(p.requiredChecks && p.requiredChecks.length > 0 ? { requiredStatusChecks: { requiredChecks: p.requiredChecks.map((context) => ({ context })) } } : {}),
                },
            },
            child,
        );
    }

    private createWebhooks(name: string, args: CodeRepositoryArgs, child: pulumi.CustomResourceOptions): pulumi.Output<Record<string, string>> {
        const secrets = Object.entries(args.webhooks ?? {}).map(([hook, spec]) => {
            const signing = this.generatedSecret(`${name}-webhook-${hook}-secret`);
            new github.RepositoryWebhook(`${name}-webhook-${hook}`, { repository: this.repository.name, events: spec.events, active: true, configuration: { url: spec.url, contentType: "json", insecureSsl: false, secret: signing } }, child);
            return [hook, signing] as const;
        });
        return pulumi.secret(pulumi.output(Object.fromEntries(secrets)));
    }

    /** A webhook secret generated once and kept in state (secret). */
    private generatedSecret(resourceName: string): pulumi.Output<string> {
        return pulumi.secret(new random.RandomPassword(resourceName, { length: 40, special: false }, { parent: this }).result);
    }

    private createActionsSettings(name: string, args: CodeRepositoryArgs, child: pulumi.CustomResourceOptions): void {
        for (const [secretName, value] of Object.entries(args.actionsSecrets ?? {})) {
            new github.ActionsSecret(`${name}-secret-${secretName}`, { repository: this.repository.name, secretName, plaintextValue: pulumi.secret(value) }, child);
        }
        for (const [variableName, value] of Object.entries(args.actionsVariables ?? {})) {
            new github.ActionsVariable(`${name}-variable-${variableName}`, { repository: this.repository.name, variableName, value }, child);
        }
    }

    private createGitlabMirror(name: string, args: CodeRepositoryArgs, mirror: GitlabMirrorArgs): GitlabProject {
        const connection = mirror.baseUrl ? { baseUrl: mirror.baseUrl } : {};
        const project = new GitlabProject(
            `${name}-gitlab`,
            { ...connection, path: args.repositoryName, name: args.repositoryName, description: pulumi.interpolate`Mirror of ${this.repository.htmlUrl}`, defaultBranch: args.defaultBranch ?? "main", ...(mirror.namespaceId !== undefined ? { namespaceId: mirror.namespaceId } : {}) },
            { parent: this, protect: args.environment.protectStateful },
        );
        const projectId = project.id;
        // GitHub over https with the token as password; secret, and never shown back by GitLab.
        const githubUrl = pulumi.secret(pulumi.interpolate`https://x-access-token:${args.githubToken ?? ""}@github.com/${args.owner}/${this.repository.name}.git`);
        const common = { ...connection, projectId, onlyProtectedBranches: mirror.onlyProtectedBranches ?? false };
        if (mirror.direction !== "push") new GitlabPullMirror(`${name}-gitlab-pull`, { ...common, importUrl: githubUrl, triggerBuilds: mirror.triggerBuilds ?? false }, { parent: project });
        if (mirror.direction !== "pull") new GitlabPushMirror(`${name}-gitlab-push`, { ...common, url: githubUrl, enabled: true }, { parent: project });
        for (const [key, v] of Object.entries(mirror.variables ?? {})) {
            new GitlabVariable(`${name}-gitlab-variable-${key}`, { ...connection, projectId, key, value: v.value, masked: v.masked ?? true, protected: v.protected ?? false, raw: v.raw ?? false }, { parent: project });
        }
        return project;
    }

    private createGitlabWebhooks(name: string, mirror: GitlabMirrorArgs, project: GitlabProject): pulumi.Output<Record<string, string>> {
        const tokens = Object.entries(mirror.webhooks ?? {}).map(([hook, spec]) => {
            const token = this.generatedSecret(`${name}-gitlab-webhook-${hook}-secret`);
            new GitlabProjectHook(`${name}-gitlab-webhook-${hook}`, { ...(mirror.baseUrl ? { baseUrl: mirror.baseUrl } : {}), projectId: project.id, url: spec.url, events: spec.events, token }, { parent: project });
            return [hook, token] as const;
        });
        return pulumi.secret(pulumi.output(Object.fromEntries(tokens)));
    }
}
