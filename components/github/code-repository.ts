/**
 * A code repository on GitHub (official provider) with protection of its default branch,
 * webhooks signed with generated secrets, Actions secrets and variables handed in by other
 * components, and optionally a GitLab project that mirrors it: pull (GitLab follows GitHub), push
 * (GitLab pushes to GitHub), or both. A protecting data policy protects the repository and the
 * GitLab project and archives the repository on destroy rather than deleting it.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GitlabProjectHook, type GitlabProjectHookArgs } from "../../dynamic-providers/gitlab/hook";
import { GitlabPullMirror, GitlabPushMirror, type GitlabPullMirrorArgs, type GitlabPushMirrorArgs } from "../../dynamic-providers/gitlab/mirrors";
import { GitlabProject, type GitlabProjectArgs } from "../../dynamic-providers/gitlab/project";
import type { GitlabHookEvent } from "../../dynamic-providers/gitlab/schema";
import { GitlabVariable, type GitlabVariableArgs } from "../../dynamic-providers/gitlab/variable";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const CODE_REPOSITORY_TYPE = "stackwire:github:CodeRepository";

export interface BranchProtection {
    /** Approving reviews a pull request needs. @default 1 */
    requiredReviews?: number;
    /** Status checks (job names) that must pass. */
    requiredChecks?: string[];
    /** @default true */
    dismissStaleReviews?: boolean;
}

export interface GitlabMirrorArgs extends Adoptable {
    /** The project's name. @default the repository's name */
    name?: pulumi.Input<string>;
    /** @default "Mirror of <the repository's URL>" */
    description?: pulumi.Input<string>;
    /** @default "private" */
    visibility?: pulumi.Input<"private" | "internal" | "public">;
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
    webhooks?: Record<string, { url: pulumi.Input<string>; events: GitlabHookEvent[]; enableSslVerification?: boolean } & Adoptable>;
}

export interface CodeRepositoryArgs extends Adoptable {
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
    /** Protects the repository and the GitLab project, and archives rather than deletes. @default nothing protected */
    policy?: DataPolicy;
    /** The GitHub provider to use (owner and token). @default the default provider */
    provider?: github.Provider;
    transform?: CodeRepositoryTransforms;
}

export interface CodeRepositoryTransforms {
    repository?: Transform<github.RepositoryArgs>;
    defaultBranch?: Transform<github.BranchDefaultArgs>;
    protection?: Transform<github.RepositoryRulesetArgs>;
    webhook?: Transform<github.RepositoryWebhookArgs>;
    /** The generated signing secrets of webhooks (GitHub and GitLab). */
    webhookSecret?: Transform<random.RandomPasswordArgs>;
    actionsSecret?: Transform<github.ActionsSecretArgs>;
    actionsVariable?: Transform<github.ActionsVariableArgs>;
    gitlabProject?: Transform<GitlabProjectArgs>;
    pullMirror?: Transform<GitlabPullMirrorArgs>;
    pushMirror?: Transform<GitlabPushMirrorArgs>;
    gitlabVariable?: Transform<GitlabVariableArgs>;
    gitlabWebhook?: Transform<GitlabProjectHookArgs>;
}

export class CodeRepository extends pulumi.ComponentResource {
    public readonly repository: github.Repository;
    public readonly htmlUrl: pulumi.Output<string>;
    /** Webhook signing secrets by name; secret. */
    public readonly webhookSecrets: pulumi.Output<Record<string, string>>;
    public readonly gitlabProject?: GitlabProject;
    /** The GitLab project's webhook tokens by name; secret, empty without a mirror. */
    public readonly gitlabWebhookSecrets: pulumi.Output<Record<string, string>>;

    private readonly transforms: CodeRepositoryTransforms;

    constructor(name: string, args: CodeRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super(CODE_REPOSITORY_TYPE, name, {}, opts);
        this.transforms = args.transform ?? {};
        const child = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
        this.repository = this.createRepository(name, args, child);
        this.htmlUrl = this.repository.htmlUrl;
        // The first commit lands on GitHub's default branch name; rename it to the one declared.
        new github.BranchDefault(...transformed(this.transforms.defaultBranch, `${name}-default-branch`, { repository: this.repository.name, branch: args.defaultBranch ?? "main", rename: true }, child));
        if (args.protection) this.createProtection(name, args.protection, child);
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
        const protect = (args.policy ?? UNPROTECTED).protect;
        const repositoryArgs: github.RepositoryArgs = {
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
            // A protected repository is archived by a destroy: its history is never deleted.
            archiveOnDestroy: protect,
        };
        if (args.adopt === undefined) return new github.Repository(...transformed(this.transforms.repository, `${name}-repo`, repositoryArgs, { ...child, protect }));
        // An existing repository comes in through Pulumi's import: the engine reads it and refuses a
        // difference in what the config sets; what the config does not set is left as it is.
        const { autoInit: _made, ...existing } = repositoryArgs;
        const [, adoption] = adoptable({ adopt: args.adopt, deleteAdopted: args.deleteAdopted });
        const options = { ...child, protect, ...adoption, import: args.adopt, ignoreChanges: ["autoInit", "allowSquashMerge", "allowMergeCommit", "allowRebaseMerge", "deleteBranchOnMerge", "vulnerabilityAlerts", "archiveOnDestroy"] };
        return new github.Repository(...transformed(this.transforms.repository, `${name}-repo`, existing, options));
    }

    private createProtection(name: string, p: BranchProtection, child: pulumi.CustomResourceOptions): void {
        const rulesetArgs: github.RepositoryRulesetArgs = {
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
        };
        new github.RepositoryRuleset(...transformed(this.transforms.protection, `${name}-protection`, rulesetArgs, child));
    }

    private createWebhooks(name: string, args: CodeRepositoryArgs, child: pulumi.CustomResourceOptions): pulumi.Output<Record<string, string>> {
        const secrets = Object.entries(args.webhooks ?? {}).map(([hook, spec]) => {
            const signing = this.generatedSecret(`${name}-webhook-${hook}-secret`);
            const hookArgs: github.RepositoryWebhookArgs = { repository: this.repository.name, events: spec.events, active: true, configuration: { url: spec.url, contentType: "json", insecureSsl: false, secret: signing } };
            new github.RepositoryWebhook(...transformed(this.transforms.webhook, `${name}-webhook-${hook}`, hookArgs, child));
            return [hook, signing] as const;
        });
        return pulumi.secret(pulumi.output(Object.fromEntries(secrets)));
    }

    /** A webhook secret generated once and kept in state (secret). */
    private generatedSecret(resourceName: string): pulumi.Output<string> {
        return pulumi.secret(new random.RandomPassword(...transformed(this.transforms.webhookSecret, resourceName, { length: 40, special: false }, { parent: this })).result);
    }

    private createActionsSettings(name: string, args: CodeRepositoryArgs, child: pulumi.CustomResourceOptions): void {
        for (const [secretName, value] of Object.entries(args.actionsSecrets ?? {})) {
            new github.ActionsSecret(...transformed(this.transforms.actionsSecret, `${name}-secret-${secretName}`, { repository: this.repository.name, secretName, plaintextValue: pulumi.secret(value) }, child));
        }
        for (const [variableName, value] of Object.entries(args.actionsVariables ?? {})) {
            new github.ActionsVariable(...transformed(this.transforms.actionsVariable, `${name}-variable-${variableName}`, { repository: this.repository.name, variableName, value }, child));
        }
    }

    private createGitlabMirror(name: string, args: CodeRepositoryArgs, mirror: GitlabMirrorArgs): GitlabProject {
        const connection = mirror.baseUrl ? { baseUrl: mirror.baseUrl } : {};
        const [{ adopt }, adoption] = adoptable({ adopt: mirror.adopt, deleteAdopted: mirror.deleteAdopted });
        const projectArgs: GitlabProjectArgs = {
            ...connection,
            path: args.repositoryName,
            name: mirror.name ?? args.repositoryName,
            description: mirror.description ?? pulumi.interpolate`Mirror of ${this.repository.htmlUrl}`,
            defaultBranch: args.defaultBranch ?? "main",
            ...(mirror.visibility !== undefined ? { visibility: mirror.visibility } : {}),
            ...(mirror.namespaceId !== undefined ? { namespaceId: mirror.namespaceId } : {}),
            ...(adopt ? { adopt } : {}),
        };
        const project = new GitlabProject(...transformed(this.transforms.gitlabProject, `${name}-gitlab`, projectArgs, { parent: this, protect: (args.policy ?? UNPROTECTED).protect, ...adoption }));
        const projectId = project.id;
        // GitHub over https with the token as password; secret, and never shown back by GitLab.
        const githubUrl = pulumi.secret(pulumi.interpolate`https://x-access-token:${args.githubToken ?? ""}@github.com/${args.owner}/${this.repository.name}.git`);
        const common = { ...connection, projectId, onlyProtectedBranches: mirror.onlyProtectedBranches ?? false };
        // An adopted project's mirrors are adopted with it: the pull mirror is a setting of the project, the push mirror named by its id.
        if (mirror.direction !== "push") {
            new GitlabPullMirror(...transformed(this.transforms.pullMirror, `${name}-gitlab-pull`, { ...common, importUrl: githubUrl, triggerBuilds: mirror.triggerBuilds ?? false, ...(adopt ? { adopt: `${adopt}/pull-mirror` } : {}) }, { parent: project, ...adoption }));
        }
        if (mirror.direction !== "pull") {
            // A push mirror is never adopted (its URL cannot change): the stack makes its own.
            new GitlabPushMirror(...transformed(this.transforms.pushMirror, `${name}-gitlab-push`, { ...common, url: githubUrl, enabled: true }, { parent: project }));
        }
        for (const [key, v] of Object.entries(mirror.variables ?? {})) {
            const variableArgs: GitlabVariableArgs = { ...connection, projectId, key, value: v.value, masked: v.masked ?? true, protected: v.protected ?? false, raw: v.raw ?? false };
            new GitlabVariable(...transformed(this.transforms.gitlabVariable, `${name}-gitlab-variable-${key}`, variableArgs, { parent: project }));
        }
        return project;
    }

    private createGitlabWebhooks(name: string, mirror: GitlabMirrorArgs, project: GitlabProject): pulumi.Output<Record<string, string>> {
        const tokens = Object.entries(mirror.webhooks ?? {}).map(([hook, settings]) => {
            const [spec, adoption] = adoptable(settings);
            const token = this.generatedSecret(`${name}-gitlab-webhook-${hook}-secret`);
            // An adopted hook's token cannot be read back: adoption writes the stack's (core/adopt.ts).
            const hookArgs: GitlabProjectHookArgs = { ...(mirror.baseUrl ? { baseUrl: mirror.baseUrl } : {}), projectId: project.id, url: spec.url, events: spec.events, token, ...(spec.enableSslVerification !== undefined ? { enableSslVerification: spec.enableSslVerification } : {}), ...(spec.adopt ? { adopt: spec.adopt } : {}) };
            new GitlabProjectHook(...transformed(this.transforms.gitlabWebhook, `${name}-gitlab-webhook-${hook}`, hookArgs, { parent: project, ...adoption }));
            return [hook, token] as const;
        });
        return pulumi.secret(pulumi.output(Object.fromEntries(tokens)));
    }
}
