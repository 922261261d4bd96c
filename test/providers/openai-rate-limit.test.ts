/** OpenAI project rate limits through the provider against the Admin API emulator: what the scenario tiers do not reach. */
import { describe, expect, it } from "vitest";
import { rateLimitDefinition } from "../../dynamic-providers/openai/rate-limit";
import { OpenaiEmulator } from "../../sandbox/emulators/openai";
import { fakeCredential } from "../fake-credential";
import { useEmulator } from "./emulator-suite";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const ADMIN = fakeCredential("sk-admin-", "rateLimitTestOwnerKey0123");
const emulator = new OpenaiEmulator({ adminKeys: [ADMIN] });
const p = {} as Record<"limit", ProviderUnderTest>;
const served = useEmulator(emulator, async () => {
    p.limit = await configuredProvider(rateLimitDefinition, { openaiAdminKey: ADMIN });
});
const { make } = lifecycle(p, () => ({ baseUrl: `${served.url()}/v1` }));

async function project(): Promise<string> {
    const answer = await fetch(`${served.url()}/v1/organization/projects`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: JSON.stringify({ name: "limits" }) });
    return ((await answer.json()) as { id: string }).id;
}
const row = (projectId: string, model: string) => emulator.projects.get(projectId)!.rateLimits.get(`rl-${model}`)!;

describe("OpenAI rate limits", () => {
    it("sets the model's row, restores a limit dropped from the config, and gives back what it found on destroy", async () => {
        const projectId = await project();
        const { id, outs, inputs } = await make("limit", { projectId, model: "gpt-4o-mini", maxRequestsPerMinute: 100, maxTokensPerMinute: 5000 });
        expect(row(projectId, "gpt-4o-mini")).toMatchObject({ max_requests_per_1_minute: 100, max_tokens_per_1_minute: 5000 });
        const fewer = await p.limit.provider.update(id, outs, { ...inputs, maxTokensPerMinute: null });
        expect(row(projectId, "gpt-4o-mini")).toMatchObject({ max_requests_per_1_minute: 100, max_tokens_per_1_minute: 200000 });
        await p.limit.provider.delete(id, fewer.outs);
        expect(row(projectId, "gpt-4o-mini")).toMatchObject({ max_requests_per_1_minute: 500, max_tokens_per_1_minute: 200000 });
    });

    it("refuses a limit the model does not have, at create and when added later, naming the model's limits", async () => {
        const projectId = await project();
        const refusal = /OpenAI model "gpt-4o-mini" has no maxImagesPerMinute limit in project \S+ \(its limits: maxRequestsPerMinute, maxTokensPerMinute, maxRequestsPerDay, batchMaxInputTokensPerDay\)/;
        await expect(make("limit", { projectId, model: "gpt-4o-mini", maxImagesPerMinute: 3 })).rejects.toThrow(refusal);
        const { id, outs, inputs } = await make("limit", { projectId, model: "gpt-4o-mini", maxRequestsPerMinute: 100 });
        await expect(p.limit.provider.update(id, outs, { ...inputs, maxImagesPerMinute: 3 })).rejects.toThrow(refusal);
        expect(row(projectId, "gpt-4o-mini").max_images_per_1_minute).toBeUndefined();
    });

    it("a 400 for another reason than an archived project is an error, not the row gone; an archived project's row is", async () => {
        const projectId = await project();
        const { id, outs } = await make("limit", { projectId, model: "gpt-4o-mini", maxRequestsPerMinute: 100 });
        emulator.inject({ kind: "echo-reject", route: "POST /v1/organization/projects/:project/rate_limits/:rateLimit" });
        await expect(p.limit.provider.delete(id, outs)).rejects.toThrow(/status 400/);
        expect(row(projectId, "gpt-4o-mini").max_requests_per_1_minute).toBe(100);
        emulator.projects.get(projectId)!.status = "archived";
        await p.limit.provider.delete(id, outs);
        expect((await p.limit.provider.read(id, outs)).id).toBe("");
        // A project OpenAI no longer knows: the rate-limit routes' own 404 ({code, message}), gone while the organization answers.
        emulator.projects.delete(projectId);
        expect((await p.limit.provider.read(id, outs)).id).toBe("");
        await expect(p.limit.provider.delete(id, outs)).resolves.toBeUndefined();
    });

    it("a model the project has no row for is refused, naming the models that have one", async () => {
        const projectId = await project();
        await expect(make("limit", { projectId, model: "gpt-5-imaginary", maxRequestsPerMinute: 1 })).rejects.toThrow(/no rate limit for model "gpt-5-imaginary" \(models with limits: dall-e-3, gpt-4o, gpt-4o-mini, text-embedding-3-small, whisper-1\)/);
    });
});
