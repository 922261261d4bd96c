/**
 * GitHub repositories with GitLab mirrors and Trello boards: config validation, and the
 * components' graphs under mocks (imported from bin/: they hold dynamic providers).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as Repo from "../../components/github/code-repository";
import type * as Board from "../../components/trello/board";
import type * as Config from "../../stacks/config";
import type * as Environments from "../../stacks/environment";
import type * as Graph from "./mock-graph";
import { fakeCredential } from "../fake-credential";

const load = createRequire(join(process.cwd(), "package.json"));
const { CodeRepository } = load("./bin/components/github/code-repository") as typeof Repo;
const { TrelloBoard } = load("./bin/components/trello/board") as typeof Board;
const { validateStackConfig, StackConfigError } = load("./bin/stacks/config") as typeof Config;
const { environmentFor, dataPolicyOf } = load("./bin/stacks/environment") as typeof Environments;
const { recordGraph, settled, isSecretValue } = load("./bin/test/unit/mock-graph") as typeof Graph;
const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const TOKEN = fakeCredential("ghp_", "canaryTokenForMirrors0123456789abcdef");

function repository(stack: string) {
    const graph = recordGraph("stackwire", stack);
    const repo = new CodeRepository("github-app", {
        repositoryName: `stackwire-${stack}-app`,
        owner: "acme",
        githubToken: pulumi.secret(TOKEN),
        description: "The app",
        protection: { requiredReviews: 2, requiredChecks: ["test", "lint"] },
        webhooks: { ci: { url: "https://ci.example/hook", events: ["push", "pull_request"] } },
        actionsSecrets: { STRIPE_SECRET_KEY: pulumi.secret("sk_test_fromAnotherComponent123") },
        actionsVariables: { APP_ENV: stack },
        gitlabMirror: { direction: "both", namespaceId: 77, triggerBuilds: true, variables: { DEPLOY_TOKEN: { value: "deploy-token-12345" } }, webhooks: { cards: { url: "https://sync.example/gitlab", events: ["pipeline", "issues"] } } },
        policy: dataPolicyOf(environmentFor("stackwire", stack)),
    });
    return { graph, repo };
}

async function built(stack: string) {
    const { graph, repo } = repository(stack);
    await settled(repo.htmlUrl, repo.webhookSecrets, repo.gitlabWebhookSecrets, repo.gitlabProject!.id);
    return { graph, repo };
}

describe("CodeRepository", () => {
    it("creates the repository, its protection, a signed webhook, Actions settings and a two-way GitLab mirror", async () => {
        const { graph } = await built("dev");
        expect(graph.named("github-app-repo").inputs).toMatchObject({ name: "stackwire-dev-app", visibility: "private", deleteBranchOnMerge: true, vulnerabilityAlerts: true, archiveOnDestroy: false, allowSquashMerge: true, allowMergeCommit: false });
        expect(graph.named("github-app-protection").inputs).toMatchObject({
            target: "branch",
            enforcement: "active",
            rules: { nonFastForward: true, deletion: true, pullRequest: { requiredApprovingReviewCount: 2 }, requiredStatusChecks: { requiredChecks: [{ context: "test" }, { context: "lint" }] } },
        });
        expect(graph.named("github-app-webhook-ci").inputs).toMatchObject({ events: ["push", "pull_request"], configuration: { url: "https://ci.example/hook", contentType: "json" } });
        expect(graph.byType("github:index/actionsSecret:ActionsSecret").map((r) => r.inputs.secretName)).toEqual(["STRIPE_SECRET_KEY"]);
        expect(graph.named("github-app-variable-APP_ENV").inputs).toMatchObject({ variableName: "APP_ENV", value: "dev" });
        expect(graph.named("github-app-default-branch").inputs).toMatchObject({ branch: "main", rename: true });
        expect(graph.named("github-app-gitlab").inputs).toMatchObject({ path: "stackwire-dev-app", namespaceId: 77 });
        expect(graph.named("github-app-gitlab-pull").parent).toContain("gitlab:Project::github-app-gitlab");
        expect(graph.named("github-app-gitlab-push").inputs).toMatchObject({ projectId: "github-app-gitlab-id", enabled: true });
        expect(graph.named("github-app-gitlab-variable-DEPLOY_TOKEN").inputs).toMatchObject({ key: "DEPLOY_TOKEN", masked: true });
        expect(graph.named("github-app-gitlab-webhook-cards").inputs).toMatchObject({ projectId: "github-app-gitlab-id", url: "https://sync.example/gitlab", events: ["pipeline", "issues"] });
        expect(graph.named("github-app-gitlab-webhook-cards").parent).toContain("gitlab:Project::github-app-gitlab");
    });

    it("keeps every secret secret: webhook secret, Actions secret, mirror URLs with the token, CI variable", async () => {
        const { graph, repo } = await built("dev");
        expect(isSecretValue((graph.named("github-app-webhook-ci").inputs.configuration as Record<string, unknown>).secret)).toBe(true);
        expect(isSecretValue(graph.named("github-app-secret-STRIPE_SECRET_KEY").inputs.plaintextValue)).toBe(true);
        expect(isSecretValue(graph.named("github-app-gitlab-pull").inputs.importUrl)).toBe(true);
        expect(isSecretValue(graph.named("github-app-gitlab-push").inputs.url)).toBe(true);
        expect(isSecretValue(graph.named("github-app-gitlab-variable-DEPLOY_TOKEN").inputs.value)).toBe(true);
        expect(isSecretValue(graph.named("github-app-gitlab-webhook-cards").inputs.token)).toBe(true);
        expect(graph.named("github-app-gitlab-webhook-cards").additionalSecretOutputs).toEqual(["token"]);
        expect(await pulumi.isSecret(repo.gitlabWebhookSecrets)).toBe(true);
        expect(graph.named("github-app-gitlab-pull").additionalSecretOutputs).toEqual(["importUrl"]);
        expect(await pulumi.isSecret(repo.webhookSecrets)).toBe(true);
        // Registered only inside secret wrappers, never in a plain field or a serialized provider.
        const plain = JSON.stringify(graph.resources.map((r) => Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => !isSecretValue(v)))));
        expect(plain).not.toContain(TOKEN);
    });

    it("in prod archives the repository on destroy and protects it and the GitLab project", async () => {
        const { graph } = await built("prod");
        expect(graph.named("github-app-repo")).toMatchObject({ protect: true });
        expect(graph.named("github-app-repo").inputs.archiveOnDestroy).toBe(true);
        expect(graph.named("github-app-gitlab").protect).toBe(true);
    });

    it("mirrors one way when asked", async () => {
        const graph = recordGraph("stackwire", "dev");
        const repo = new CodeRepository("one", { repositoryName: "one", owner: "acme", githubToken: pulumi.secret(TOKEN), gitlabMirror: { direction: "pull" } });
        await settled(repo.gitlabProject!.id);
        expect(graph.resources.map((r) => r.name)).toContain("one-gitlab-pull");
        expect(graph.resources.map((r) => r.name)).not.toContain("one-gitlab-push");
    });
});

describe("TrelloBoard", () => {
    it("creates the board with ordered lists, labels and a webhook on the board", async () => {
        const graph = recordGraph("stackwire", "dev");
        const board = new TrelloBoard("trello-devops", {
            name: "DevOps",
            lists: ["Issues", "In progress", "Pipelines", "Done"].map((name) => ({ key: name.toLowerCase().replace(" ", "-"), name })),
            labels: { bug: "red", ci: "blue", none: null },
            webhooks: { github: { callbackUrl: "https://sync.example/trello" } },
        });
        await settled(board.listIds, board.labelIds);
        expect(graph.byType("pulumi-nodejs:dynamic/trello:List").map((r) => [r.inputs.name, r.inputs.position])).toEqual([
            ["Issues", 16384],
            ["In progress", 32768],
            ["Pipelines", 49152],
            ["Done", 65536],
        ]);
        // No colour: nothing registered, so the provider's default (null, a colourless label) applies.
        expect(graph.named("trello-devops-label-none").inputs).not.toHaveProperty("color");
        expect(graph.named("trello-devops-webhook-github").inputs).toMatchObject({ modelId: "trello-devops-board-id", callbackUrl: "https://sync.example/trello" });
        expect(graph.named("trello-devops-webhook-github").dependencies.some((u) => u.endsWith("::trello-devops-board"))).toBe(true);
    });
});

describe("config", () => {
    const secrets = { githubToken: true, gitlabToken: true, trelloApiKey: true, trelloToken: true };
    function problemsOf(settings: Record<string, unknown>): string[] {
        try {
            validateStackConfig({ settings, secretness: { ...secrets, ...Object.fromEntries(Object.keys(settings).map((k) => [k, false])) }, env: {} }, environmentFor("stackwire", "dev"));
        } catch (err) {
            expect(err).toBeInstanceOf(StackConfigError);
            return (err as Config.StackConfigError).problems.map((p) => `${p.path}: ${p.rule}${p.received ? ` (received ${p.received})` : ""}`);
        }
        throw new Error("config was accepted");
    }
    const repo = (r: Record<string, unknown>) => ({ github: { owner: "acme", repositories: { app: r } } });

    it.each([
        ["an invalid repository name", repo({ name: "my repo" }), "github.repositories.app.name: must be a GitHub repository name"],
        ["an unknown webhook event", repo({ webhooks: { ci: { url: "https://x.test", events: ["pushed"] } } }), 'github.repositories.app.webhooks.ci.events[0]: must be a GitHub webhook event such as push, pull_request or issues (received "pushed")'],
        ["an unmaskable CI variable value", repo({ gitlabMirror: { direction: "pull", variables: { TOKEN: { value: "a b c" } } } }), "github.repositories.app.gitlabMirror.variables.TOKEN.value: cannot be masked: a masked value must have at least 8 characters"],
        ["a webhook URL that is not http(s)", repo({ webhooks: { ci: { url: "ftp://ci.example/hook", events: ["push"] } } }), "github.repositories.app.webhooks.ci.url: must be an http(s) URL"],
        ["an unknown GitLab webhook event", repo({ gitlabMirror: { direction: "pull", webhooks: { cards: { url: "https://x.test", events: ["pipelines"] } } } }), "github.repositories.app.gitlabMirror.webhooks.cards.events[0]: must be one of push, tagPush"],
        ["a mirror in an unknown direction", repo({ gitlabMirror: { direction: "sideways" } }), "github.repositories.app.gitlabMirror.direction"],
        ["an unknown label colour", { trello: { boards: { devops: { name: "D", labels: { bug: "crimson" } } } } }, "trello.boards.devops.labels.bug: must be a Trello colour"],
        ["an Actions variable named like GitHub's own", repo({ variables: { GITHUB_SHA: "x" } }), "must be an Actions variable name"],
        ["two lists with one key", { trello: { boards: { devops: { name: "D", lists: ["Done", "done"] } } } }, 'trello.boards.devops.lists[1]: has the key "done", like lists[0]'],
        ["a list whose name gives no key", { trello: { boards: { devops: { name: "D", lists: ["✅"] } } } }, 'trello.boards.devops.lists[0]: "✅" gives no usable key'],
        ["a list key starting with a digit", { trello: { boards: { devops: { name: "D", lists: [{ key: "2024", name: "2024" }] } } } }, "must start with a letter"],
    ])("rejects %s", (_what, settings, expected) => {
        const problems = problemsOf(settings);
        expect(problems.some((p) => p.includes(expected)), problems.join("\n")).toBe(true);
    });

    it("never echoes a CI variable value in an error", () => {
        const problems = problemsOf(repo({ gitlabMirror: { direction: "pull", variables: { TOKEN: { value: "short!" } } } }));
        expect(problems.join("\n")).not.toContain("short!");
    });

    it("asks for the GitLab token only when a repository mirrors to GitLab", () => {
        const noMirror = { settings: repo({}), secretness: { github: false, githubToken: true }, env: {} };
        expect(() => validateStackConfig(noMirror, environmentFor("stackwire", "dev"))).not.toThrow();
        const mirror = { settings: repo({ gitlabMirror: { direction: "push" } }), secretness: { github: false, githubToken: true }, env: {} };
        expect(() => validateStackConfig(mirror, environmentFor("stackwire", "dev"))).toThrow(/gitlabToken: is required/);
    });

    it("names repositories with project and stack unless a name is given", () => {
        const config = validateStackConfig({ settings: repo({}), secretness: { github: false, githubToken: true }, env: {} }, environmentFor("stackwire", "pr-5"));
        expect(config.github!.repositories.app.repositoryName).toBe("stackwire-pr-5-app");
    });
});
