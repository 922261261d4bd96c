/** The wires section: a wire whose ends are not configured is refused naming both ends, before anything is built. */
import { describe, expect, it } from "vitest";
import { StackConfigError, validateStackConfig, type RawStackConfig } from "../../stacks/config";
import { environmentFor } from "../../stacks/environment";

const dev = environmentFor("stackwire", "dev");
const ends = {
    supabase: { url: "https://abcdefghijklmnopqrst.supabase.co", projectRef: "abcdefghijklmnopqrst", database: { url: "postgres://postgres@db.abcdefghijklmnopqrst.supabase.co:5432/postgres" } },
    stripe: { products: {} },
    github: { owner: "acme", repositories: { app: { gitlabMirror: { direction: "push" } }, docs: {} } },
    trello: { boards: { devops: { name: "DevOps", lists: ["To do", "Done", { key: "ci", name: "CI" }] } } },
    resend: { domains: { "mail.acme.test": {} } },
};
const SECRETS = ["supabaseServiceRoleKey", "supabaseAccessToken", "stripeSecretKey", "githubToken", "gitlabToken", "trelloApiKey", "trelloToken", "trelloApiSecret", "resendApiKey", "supabaseDbPassword"];

function raw(settings: Record<string, unknown>): RawStackConfig {
    const secretness: Record<string, boolean> = Object.fromEntries(SECRETS.map((s) => [s, true]));
    for (const key of Object.keys(settings)) secretness[key] = false;
    return { settings, secretness, env: {}, secretKinds: { stripeSecretKey: "test" } };
}

function problemsOf(settings: Record<string, unknown>): string[] {
    try {
        validateStackConfig(raw(settings), dev);
    } catch (err) {
        expect(err).toBeInstanceOf(StackConfigError);
        return (err as StackConfigError).problems.map((p) => `${p.path}: ${p.rule}`);
    }
    throw new Error("config was accepted");
}

describe("the wires section", () => {
    it("plans every wire whose ends are configured, and the relay when one sends it events", () => {
        const config = validateStackConfig(
            raw({
                ...ends,
                wires: {
                    stripeToSupabase: {},
                    stripeToResend: { from: "billing@mail.acme.test" },
                    githubToTrello: { repository: "app", board: "devops", lists: { opened: "to-do", closed: "done" } },
                    gitlabToTrello: { repository: "app", board: "devops", lists: { running: "ci", success: "done", failed: "ci" } },
                    githubToGitlab: { repository: "app" },
                },
            }),
            dev,
        );
        expect(config.wires?.wanted).toEqual(["stripeToSupabase", "stripeToResend", "githubToTrello", "gitlabToTrello", "githubToGitlab"]);
        expect(config.wires?.relay).toBe(true);
        expect(config.wires?.senderDomains).toEqual({ stripeToResend: "mail.acme.test" });
        expect(config.wires?.wires.stripeToSupabase?.events).toContain("checkout.session.completed");
    });

    it("the mirror alone needs no relay", () => {
        expect(validateStackConfig(raw({ github: ends.github, wires: { githubToGitlab: { repository: "app" } } }), dev).wires?.relay).toBe(false);
    });

    it.each([
        ["a missing source", { supabase: ends.supabase, wires: { stripeToSupabase: {} } }, /^wires\.stripeToSupabase: needs the stripe section \(stackwire:stripe\) \(stripe → supabase/],
        ["a missing destination", { stripe: ends.stripe, wires: { stripeToResend: { from: "a@mail.acme.test" } } }, /^wires\.stripeToResend: needs the resend section/],
        ["no project ref for the relay", { ...ends, supabase: { url: ends.supabase.url }, wires: { stripeToSupabase: {} } }, /^wires\.stripeToSupabase: needs supabase\.projectRef/],
        ["a sender at an undeclared domain", { ...ends, wires: { stripeToResend: { from: "billing@other.test" } } }, /^wires\.stripeToResend\.from: needs a sender at a domain of resend\.domains \("other\.test" is not declared\)/],
        ["an unknown repository", { ...ends, wires: { githubToSupabase: { repository: "nope" } } }, /^wires\.githubToSupabase\.repository: needs a repository of github\.repositories \("nope" is not one\)/],
        ["a repository without a mirror", { ...ends, wires: { githubToGitlab: { repository: "docs" } } }, /^wires\.githubToGitlab\.repository: needs github\.repositories\.docs\.gitlabMirror/],
        ["an unknown board", { ...ends, wires: { trelloToResend: { board: "ops", from: "a@mail.acme.test", to: ["b@acme.test"] } } }, /^wires\.trelloToResend\.board: needs a board of trello\.boards \("ops" is not one\)/],
        ["a list the board does not have", { ...ends, wires: { githubToTrello: { repository: "app", board: "devops", lists: { opened: "backlog", closed: "done" } } } }, /^wires\.githubToTrello\.lists\.opened: needs a list of trello\.boards\.devops\.lists \("backlog" is not one of to-do, done, ci\)/],
        ["recording events without the project's database", { ...ends, supabase: { ...ends.supabase, database: undefined }, wires: { githubToSupabase: { repository: "app" } } }, /^wires\.githubToSupabase: needs supabase\.database/],
        ["a database URL with its password", { ...ends, supabase: { ...ends.supabase, database: { url: "postgres://postgres:hunter2@db.x:5432/postgres" } } }, /^supabase\.database\.url: must not contain a password/],
        ["receipts and alerts from two domains", { ...ends, resend: { domains: { "mail.acme.test": {}, "alerts.acme.test": {} } }, wires: { stripeToResend: { from: "a@mail.acme.test" }, trelloToResend: { board: "devops", from: "b@alerts.acme.test", to: ["c@acme.test"] } } }, /^wires\.trelloToResend\.from: must be at mail\.acme\.test/],
        ["a platform key handed to Supabase under a relay secret's name", { ...ends, keyConsumers: { "resend.apiKey": [{ kind: "supabaseSecret" }] }, wires: { stripeToSupabase: {} } }, /^keyConsumers\.resend\.apiKey\[0\]\.name: "RESEND_API_KEY" is a function secret of the wires' relay/],
        ["an event Stripe does not send", { ...ends, wires: { stripeToSupabase: { events: ["payment.made"] } } }, /^wires\.stripeToSupabase\.events\[0\]: must be a Stripe event type/],
    ])("refuses %s", (_, settings, expected) => {
        expect(problemsOf(settings)).toContainEqual(expect.stringMatching(expected));
    });
});

describe("the demo's stack", () => {
    it("wants all ten wires and is valid", async () => {
        const { wiredStackSettings } = await import("../../sandbox/wired-stack");
        const urls = { supabase: "http://127.0.0.1:1", management: "http://127.0.0.1:2", stripe: "http://127.0.0.1:3", appwrite: "http://127.0.0.1:4", trello: "http://127.0.0.1:5", gitlab: "http://127.0.0.1:6", resend: "http://127.0.0.1:7", database: "postgres://postgres@127.0.0.1:5432/demo" };
        const config = validateStackConfig({ ...raw(wiredStackSettings(urls)), secretness: { ...raw(wiredStackSettings(urls)).secretness, appwriteApiKey: true } }, dev);
        expect(config.wires?.wanted).toHaveLength(10);
    });
});
