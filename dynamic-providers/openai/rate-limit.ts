/**
 * A project's rate limits for one model (openapi.yaml @f85dbe22, list-project-rate-limits and
 * update-project-rate-limits). OpenAI makes one row per model with each project and never
 * deletes it: the stack takes the model's row, writes the limits the config sets, and on destroy
 * writes back the values it found there (`found`). Limits the config leaves unset are left as
 * OpenAI has them. There is no route to read one row: a read lists the project's rows.
 *
 * Writes set values, so a write sent again after a lost answer does no harm. What the row held
 * is read before the first write; a create the engine runs again after the provider gave up
 * reads the stack's own values there, and destroy then leaves those in place.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { OperationContext, ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { insideProject, openaiAdmin, openaiCall } from "./client";
import { RATE_LIMIT_FIELDS, rateLimitInputSchema, type RateLimitField, type RateLimitInputs } from "./schema";

/** The values the row held before the stack set them, by field; restored on destroy. */
export type RateLimitState = RateLimitInputs & { found: Partial<Record<RateLimitField, number | null>> };

type ApiRateLimit = { id: string; model: string } & Partial<Record<(typeof RATE_LIMIT_FIELDS)[RateLimitField], number>>;

const FIELDS = Object.keys(RATE_LIMIT_FIELDS) as RateLimitField[];
const setFields = (i: RateLimitInputs) => FIELDS.filter((f) => i[f] !== null);

/** The body setting `values` (OpenAI's field names). */
const bodyOf = (values: Partial<Record<RateLimitField, number | null>>) =>
    Object.fromEntries(Object.entries(values).flatMap(([f, v]) => (typeof v === "number" ? [[RATE_LIMIT_FIELDS[f as RateLimitField], v]] : [])));

async function rowsOf(ctx: OperationContext, baseUrl: string, projectId: string, operation: string): Promise<ApiRateLimit[]> {
    const { call, projects } = openaiAdmin(ctx, baseUrl, operation);
    const rows: ApiRateLimit[] = [];
    // An archived or deleted project has no rows to hold.
    await insideProject(ctx, call, `project ${projectId}`, baseUrl, projectId, async () => {
        for await (const row of projects.rateLimits.listRateLimits(projectId, { limit: 100 })) rows.push(row as ApiRateLimit);
    });
    return rows;
}

/** A limit the model does not have ("only relevant for certain models") would be ignored, and differ on every refresh: refused, naming the model's limits. */
function refuseForeignLimits(i: Pick<RateLimitInputs, "model" | "projectId">, row: ApiRateLimit, fields: RateLimitField[]): void {
    const foreign = fields.filter((f) => row[RATE_LIMIT_FIELDS[f]] === undefined);
    if (foreign.length === 0) return;
    const has = FIELDS.filter((f) => row[RATE_LIMIT_FIELDS[f]] !== undefined);
    throw new Error(`OpenAI model "${i.model}" has no ${foreign.join(", ")} limit in project ${i.projectId} (its limits: ${has.join(", ")}): remove ${foreign.length === 1 ? "it" : "them"} from openai.rateLimits.${i.model}`);
}

async function write(ctx: OperationContext, i: Pick<RateLimitInputs, "baseUrl" | "projectId">, id: string, values: Partial<Record<RateLimitField, number | null>>, operation: string): Promise<ApiRateLimit> {
    const { call, projects } = openaiAdmin(ctx, i.baseUrl, operation);
    return (await openaiCall(ctx, call, () => projects.rateLimits.updateRateLimit(id, { project_id: i.projectId, ...bodyOf(values) }))) as ApiRateLimit;
}

export const rateLimitDefinition: ResourceDefinition<ReturnType<typeof rateLimitInputSchema>, RateLimitState> = {
    module: "openai",
    type: "RateLimit",
    service: "openai",
    schema: rateLimitInputSchema,
    replaceOnChanges: ["baseUrl", "projectId", "model"],
    deleteBeforeReplace: true,
    outputs: ["found"],
    notAdoptable: "every project has a row per model already: declare the limits in the config and the stack takes the row, restoring what it found on destroy",

    async create(ctx, i) {
        const rows = await rowsOf(ctx, i.baseUrl, i.projectId, `list rate limits of project ${i.projectId}`);
        const row = rows.find((r) => r.model === i.model);
        if (!row) {
            const models = rows.map((r) => r.model).sort();
            throw new Error(`OpenAI project ${i.projectId} has no rate limit for model "${i.model}"${models.length > 0 ? ` (models with limits: ${models.slice(0, 20).join(", ")}${models.length > 20 ? ", …" : ""})` : ""}: check the model's name`);
        }
        refuseForeignLimits(i, row, setFields(i));
        const found = Object.fromEntries(setFields(i).map((f) => [f, row[RATE_LIMIT_FIELDS[f]] ?? null]));
        await write(ctx, i, row.id, Object.fromEntries(setFields(i).map((f) => [f, i[f]])), `set rate limits of ${i.model} in project ${i.projectId}`);
        return { id: row.id, outs: { ...i, found } };
    },

    async read(ctx, id, state) {
        const row = (await rowsOf(ctx, state.baseUrl, state.projectId, `read rate limit ${id}`)).find((r) => r.id === id);
        // The project is archived or gone (its rows with it).
        if (!row) return undefined;
        const limits = Object.fromEntries(setFields(state).map((f) => [f, row[RATE_LIMIT_FIELDS[f]] ?? null]));
        return { ...state, model: row.model, ...limits };
    },

    async update(ctx, id, olds, news) {
        // A limit the config no longer sets goes back to what the row held; a newly set one records what it holds now.
        const dropped = setFields(olds).filter((f) => news[f] === null);
        const added = setFields(news).filter((f) => olds[f] === null);
        const found = { ...olds.found };
        if (added.length > 0) {
            const row = (await rowsOf(ctx, news.baseUrl, news.projectId, `read rate limit ${id}`)).find((r) => r.id === id);
            if (row) refuseForeignLimits(news, row, added);
            for (const f of added) found[f] = row?.[RATE_LIMIT_FIELDS[f]] ?? null;
        }
        const values = { ...Object.fromEntries(dropped.map((f) => [f, olds.found[f] ?? null])), ...Object.fromEntries(setFields(news).map((f) => [f, news[f]])) };
        await write(ctx, news, id, values, `set rate limits of ${news.model} in project ${news.projectId}`);
        for (const f of dropped) delete found[f];
        return { ...news, found };
    },

    async delete(ctx, id, state) {
        const restore = Object.fromEntries(Object.entries(state.found).filter(([, v]) => typeof v === "number"));
        if (Object.keys(restore).length === 0) return;
        const { call, projects } = openaiAdmin(ctx, state.baseUrl, `restore rate limits of ${state.model} in project ${state.projectId}`);
        // An archived project's limits matter to no one.
        await insideProject(ctx, call, `rate limit ${id}`, state.baseUrl, state.projectId, () => projects.rateLimits.updateRateLimit(id, { project_id: state.projectId, ...bodyOf(restore) }));
    },
};

export type OpenaiRateLimitArgs = ResourceArgs<ReturnType<typeof rateLimitInputSchema>>;

export class OpenaiRateLimit extends DynamicResource<ReturnType<typeof rateLimitInputSchema>, RateLimitState> {
    declare readonly model: pulumi.Output<string>;
    constructor(name: string, args: OpenaiRateLimitArgs, opts?: pulumi.CustomResourceOptions) {
        super(rateLimitDefinition, name, args, opts);
    }
}
