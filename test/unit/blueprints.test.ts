import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError, type CliIo } from "../../cli/args";
import { newCommand } from "../../cli/new";
import { BLUEPRINT_NAMES, blueprintSettings, blueprintText, PLACEHOLDERS, placeholdersOf, secretsToSet, stackFileSettings, type BlueprintName } from "../../stacks/blueprints";
import { StackConfigError, validateStackConfig, type RawStackConfig } from "../../stacks/config";
import { environmentFor } from "../../stacks/environment";
import { fillForSandbox, SANDBOX_PLACEHOLDERS, SANDBOX_PLATFORM_KEYS } from "../../sandbox/blueprints";

const urls = {
    supabase: "http://127.0.0.1:54400",
    management: "http://127.0.0.1:54406",
    stripe: "http://127.0.0.1:54401",
    appwrite: "http://127.0.0.1:54402",
    trello: "http://127.0.0.1:54403",
    gitlab: "http://127.0.0.1:54404",
    resend: "http://127.0.0.1:54405",
    database: "postgres://postgres@127.0.0.1:5432/stackwire_demo",
    redis: "redis://127.0.0.1:6379",
    openai: "http://127.0.0.1:54407",
    agora: "http://127.0.0.1:54408",
    mapbox: "http://127.0.0.1:54409",
    posthog: "http://127.0.0.1:54410",
    expo: "http://127.0.0.1:54411",
};
const dev = environmentFor("stackwire", "dev");

const WIRES_OF: Record<BlueprintName, string[]> = {
    saas: ["stripeToSupabase", "stripeToResend", "supabaseToResend"],
    ecommerce: ["stripeToSupabase", "stripeToResend", "supabaseToResend"],
    devops: ["githubToTrello", "gitlabToTrello", "githubToGitlab", "trelloToResend"],
    ai: [],
    mobile: [],
};

/** Fields whose rules accept a placeholder as written (none: every placeholder must be refused). */
const UNCHECKED_FIELDS: string[] = [];

/** Paths (as validation names them) of the values, and map keys, holding a placeholder. */
function placeholderFields(value: unknown, at = ""): string[] {
    if (typeof value === "string") return placeholdersOf(value).length > 0 ? [at] : [];
    if (Array.isArray(value)) return value.flatMap((v, i) => placeholderFields(v, `${at}[${i}]`));
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([key, inner]) => {
        const path = at ? `${at}.${key}` : key;
        return placeholdersOf(key).length > 0 ? [path] : placeholderFields(inner, path);
    });
}

/** The config as Pulumi would hand it over: the settings in plain text, the given secrets set as secrets. */
function raw(settings: Record<string, unknown>, secrets: string[]): RawStackConfig {
    const secretness: Record<string, boolean> = Object.fromEntries(Object.keys(settings).map((key) => [key, false]));
    for (const key of secrets) secretness[key.split(".")[0]] = true;
    return { settings, secretness, env: {}, secretKinds: { stripeSecretKey: "test" }, ...(secrets.some((k) => k.startsWith("platformKeys")) ? { platformKeys: SANDBOX_PLATFORM_KEYS } : {}) };
}

function problemsOf(input: RawStackConfig): string[] {
    try {
        validateStackConfig(input, dev);
        return [];
    } catch (err) {
        if (!(err instanceof StackConfigError)) throw err;
        return err.problems.map((p) => `${p.path}: ${p.rule}`);
    }
}

describe.each(BLUEPRINT_NAMES)("the %s blueprint", (name) => {
    const settings = blueprintSettings(name);
    const secrets = secretsToSet(settings);
    const required = secrets.filter((s) => !s.optional).map((s) => s.key);

    it("is a stack file with the wires that fit, and documents its placeholders", () => {
        expect(blueprintText(name)).toMatch(/^# /);
        expect(Object.keys((settings.wires as object | undefined) ?? {}).sort()).toEqual([...WIRES_OF[name]].sort());
        const placeholders = placeholdersOf(settings);
        expect(placeholders.length).toBeGreaterThan(0);
        for (const p of placeholders) {
            expect(PLACEHOLDERS, p).toHaveProperty([p]);
            expect(SANDBOX_PLACEHOLDERS, p).toHaveProperty([p]);
        }
    });

    it("is refused until its placeholders are filled in, at every field holding one", () => {
        const problems = problemsOf(raw(settings, required)).map((p) => p.split(": ")[0]);
        const fields = placeholderFields(settings);
        expect(new Set(problems)).toEqual(new Set(fields.filter((f) => !UNCHECKED_FIELDS.includes(f))));
    });

    it("filled in for the sandbox, validates through the config loader with every wire planned", () => {
        const config = validateStackConfig(raw(fillForSandbox(name, urls), required), dev);
        expect(config.wires?.wanted ?? []).toEqual(WIRES_OF[name]);
    });

    it("lists exactly the secrets its sections need: none missing, none extra", () => {
        const filled = fillForSandbox(name, urls);
        expect(problemsOf(raw(filled, required))).toEqual([]);
        for (const key of new Set(required.map((k) => k.split(".")[0]))) {
            const without = required.filter((k) => k.split(".")[0] !== key);
            expect(problemsOf(raw(filled, without)), key).toContainEqual(expect.stringMatching(new RegExp(`^${key}: is required`)));
        }
    });
});

describe("secrets by blueprint", () => {
    it.each([
        ["saas", ["supabaseServiceRoleKey", "stripeSecretKey", "resendApiKey", "platformKeys.amplitude.apiKey", "supabaseAccessToken", "supabaseDbPassword"], []],
        ["ecommerce", ["supabaseServiceRoleKey", "stripeSecretKey", "resendApiKey", "supabaseDbPassword", "supabaseAccessToken"], ["redisAdminPassword"]],
        ["devops", ["supabaseServiceRoleKey", "githubToken", "gitlabToken", "trelloApiKey", "trelloToken", "resendApiKey", "trelloApiSecret", "supabaseDbPassword", "supabaseAccessToken"], []],
    ] as const)("%s", (name, needed, optional) => {
        const secrets = secretsToSet(blueprintSettings(name));
        expect(secrets.filter((s) => !s.optional).map((s) => s.key).sort()).toEqual([...needed].sort());
        expect(secrets.filter((s) => s.optional).map((s) => s.key)).toEqual(optional);
    });
});

describe("fillForSandbox", () => {
    it("points every service at the sandbox and leaves no placeholder", () => {
        const s = fillForSandbox("devops", urls) as Record<string, Record<string, unknown>>;
        expect(s.supabase).toMatchObject({ url: urls.supabase, managementUrl: urls.management, projectRef: "sandboxprojectrefabc" });
        expect(s.trello.baseUrl).toBe(`${urls.trello}/1`);
        expect(s.gitlab).toEqual({ baseUrl: urls.gitlab });
        expect(s.resend).toMatchObject({ baseUrl: urls.resend, domains: { "mail.sandbox.test": {} } });
        expect(s.github.owner).toBe("acme");
        expect(placeholdersOf(s)).toEqual([]);
    });

    it("refuses to leave a service pointing at the real API", () => {
        expect(() => fillForSandbox("ecommerce", { ...urls, redis: undefined })).toThrow("fillForSandbox: ecommerce needs urls.redis");
    });

    it("refuses a placeholder it has no value for", () => {
        expect(() => fillForSandbox({ resend: { domains: { "<your-other-domain>": {} } } }, urls)).toThrow("placeholders the sandbox has no value for: <your-other-domain>");
    });

    it("does not change the blueprint it was given", () => {
        const settings = blueprintSettings("saas");
        const before = JSON.stringify(settings);
        fillForSandbox(settings, urls);
        expect(JSON.stringify(settings)).toBe(before);
    });
});

describe("stack files", () => {
    it("keep the stackwire namespace only, and no secret ciphertext", () => {
        const text = "config:\n  aws:region: eu-west-1\n  stackwire:stripeSecretKey:\n    secure: v1:abc\n  stackwire:redis:\n    url: redis://cache:6379\n";
        expect(stackFileSettings(text, "Pulumi.dev.yaml")).toEqual({ redis: { url: "redis://cache:6379" } });
    });

    it("read an object set as JSON text as the loader does", () => {
        expect(stackFileSettings(`config:\n  stackwire:redis: '{"url":"redis://cache:6379"}'\n`, "Pulumi.dev.yaml")).toEqual({ redis: { url: "redis://cache:6379" } });
    });

    it("name the file when they are not YAML", () => {
        expect(() => stackFileSettings("config: [", "Pulumi.dev.yaml")).toThrow(/^Pulumi\.dev\.yaml: not valid YAML/);
    });
});

describe("npm run new", () => {
    function io(cwd = mkdtempSync(path.join(tmpdir(), "stackwire-new-"))) {
        const out: string[] = [];
        const value: CliIo = { cwd, out: (t) => out.push(t), err: () => undefined };
        return { io: value, out, cwd };
    }

    it("writes the blueprint as the stack's file", () => {
        const run = io();
        const { file } = newCommand(["--blueprint", "saas", "--stack", "dev"], run.io);
        expect(file).toBe(path.join(run.cwd, "Pulumi.dev.yaml"));
        const text = readFileSync(file, "utf8");
        expect(text).toBe(`# Written by \`npm run new -- --blueprint saas --stack dev\`.\n${blueprintText("saas")}`);
        expect(stackFileSettings(text, file)).toEqual(blueprintSettings("saas"));
    });

    it("prints exactly the secrets to set, one pulumi command each, and the placeholders", () => {
        const run = io();
        newCommand(["--blueprint", "ecommerce", "--stack", "dev"], run.io);
        const lines = run.out.join("\n").split("\n");
        const commands = lines.filter((l) => l.trim().startsWith("pulumi config set")).map((l) => l.trim().split("  ")[0]);
        expect(commands).toEqual(secretsToSet(blueprintSettings("ecommerce")).map((s) => `pulumi config set --stack dev --secret ${s.key} <value>`));
        expect(lines.find((l) => l.includes("supabaseDbPassword"))).toContain("# Supabase database password, or set SUPABASE_DB_PASSWORD");
        for (const p of ["<your-project-ref>", "<your-domain>", "<your-redis-host>"]) expect(lines.some((l) => l.trim().startsWith(p)), p).toBe(true);
        expect(lines.filter((l) => /^\s+<[a-z-]+>\s/.test(l))).toHaveLength(3);
    });

    it("prints a platform key as a --path into platformKeys", () => {
        const run = io();
        newCommand(["--blueprint", "saas", "--stack", "pr-7"], run.io);
        expect(run.out.join("\n")).toContain("pulumi config set --stack pr-7 --secret --path 'platformKeys.amplitude.apiKey' <value>");
    });

    it("refuses to overwrite a stack file unless forced", () => {
        const run = io();
        const file = path.join(run.cwd, "Pulumi.dev.yaml");
        writeFileSync(file, "config: {}\n");
        expect(() => newCommand(["--blueprint", "devops", "--stack", "dev"], run.io)).toThrow(new UsageError("Pulumi.dev.yaml exists: pass --force to overwrite it"));
        expect(readFileSync(file, "utf8")).toBe("config: {}\n");
        expect(run.out).toEqual([]);
        newCommand(["--blueprint", "devops", "--stack", "dev", "--force"], run.io);
        expect(stackFileSettings(readFileSync(file, "utf8"), file)).toEqual(blueprintSettings("devops"));
    });

    it("writes into --dir", () => {
        const run = io();
        const { file } = newCommand(["--blueprint", "saas", "--stack", "staging", "--dir", "."], run.io);
        expect(existsSync(path.join(run.cwd, "Pulumi.staging.yaml"))).toBe(true);
        expect(file).toBe(path.join(run.cwd, "Pulumi.staging.yaml"));
    });

    it("states the environment of a stack not named after one", () => {
        const run = io();
        const { file } = newCommand(["--blueprint", "saas", "--stack", "acme-demo", "--environment", "staging"], run.io);
        const settings = stackFileSettings(readFileSync(file, "utf8"), file);
        expect(settings.environment).toBe("staging");
        expect(environmentFor("stackwire", "acme-demo", settings.environment as string).kind).toBe("staging");
    });

    it.each([
        ["no blueprint", ["--stack", "dev"], /^--blueprint: required, one of saas, ecommerce, devops, ai, mobile$/],
        ["an unknown blueprint", ["--blueprint", "crm", "--stack", "dev"], /^--blueprint: there is no blueprint "crm"/],
        ["no stack", ["--blueprint", "saas"], /^--stack: required/],
        ["a stack name with a slash", ["--blueprint", "saas", "--stack", "acme/dev"], /^--stack: "acme\/dev" is not a stack name/],
        ["a stack that says no environment", ["--blueprint", "saas", "--stack", "acme-demo"], /^--stack: stack name "acme-demo" does not say which environment it is: .*, or pass --environment <kind>$/],
        ["an unknown environment", ["--blueprint", "saas", "--stack", "acme-demo", "--environment", "qa"], /^--environment: must be one of dev, staging, prod, preview, local \(received "qa"\)$/],
        ["a missing folder", ["--blueprint", "saas", "--stack", "dev", "--dir", "nowhere"], /^--dir: there is no folder nowhere$/],
        ["an unknown flag", ["--blueprint", "saas", "--stack", "dev", "--overwrite"], /'--overwrite'/],
    ])("refuses %s, naming the flag", (_what, argv, message) => {
        const run = io();
        expect(() => newCommand(argv, run.io)).toThrow(UsageError);
        expect(() => newCommand(argv, run.io)).toThrow(message);
    });
});
