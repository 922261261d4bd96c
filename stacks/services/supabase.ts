/** Supabase: the project, its storage buckets, and where Edge Function secrets go. */
import { z } from "zod";
import { SupabaseStorage, type SupabaseStorageArgs } from "../../components/supabase/storage";
import { serviceRoleKey } from "../../dynamic-providers/supabase/client";
import { mimeTypeListSchema, projectRefSchema, projectUrlSchema } from "../../dynamic-providers/supabase/schema";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { migrationsInputSchema } from "../../dynamic-providers/postgres/schema";
import { dataPolicyOf } from "../environment";
import { NAME_RULES, physicalName } from "../naming";
import { adoptionOf, adoptSetting, defineService, logicalName } from "../service";

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };

/** Bytes, or "50MB"-style text with Supabase's decimal units. */
export function parseSize(value: unknown): number | undefined {
    if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
    if (typeof value !== "string") return undefined;
    const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(value.trim());
    if (!match) return undefined;
    const bytes = Number(match[1]) * SIZE_UNITS[match[2].toUpperCase()];
    return Number.isInteger(bytes) ? bytes : undefined;
}

const fileSize = z.unknown().transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
        ctx.addIssue({ code: "custom", input: value, message: 'must be a whole number of bytes or a size such as "50MB" (B, KB, MB, GB; 1 MB = 1,000,000 bytes)' });
        return z.NEVER;
    }
    return bytes;
});

const bucketSettings = z
    .object({
        /** Objects readable without a token. */
        public: z.boolean().default(false),
        fileSizeLimit: fileSize.optional(),
        allowedMimeTypes: mimeTypeListSchema()
            .refine((list) => new Set(list).size === list.length, "must not list a MIME type twice")
            .optional(),
        /** Empty the bucket when it is destroyed; preview stacks always do. */
        forceDestroy: z.boolean().optional(),
        /** Take over an existing bucket by its id (docs/adoption.md). */
        adopt: adoptSetting,
    })
    .strict();

const section = z
    .object({
        /** The project URL, e.g. https://abcd.supabase.co (or an emulator's). */
        url: projectUrlSchema(),
        /** The project's reference, for Edge Function secrets through the Management API. */
        projectRef: projectRefSchema().optional(),
        /** Another Management API (the sandbox's emulator). @default https://api.supabase.com */
        managementUrl: httpUrl().optional(),
        buckets: z.record(logicalName, bucketSettings).default({}),
        /**
         * The project's own database, for the tables the relay records events in: its connection
         * string without the password (Project Settings → Database), e.g.
         * postgres://postgres@db.abcd.supabase.co:5432/postgres. The password is supabaseDbPassword.
         */
        database: z.object({ url: migrationsInputSchema().shape.connectionUrl }).strict().optional(),
    })
    .strict();

export interface SupabasePlan {
    storage: SupabaseStorageArgs;
    /** Where Edge Function secrets go, when the stack hands keys to Supabase. */
    functions?: { projectRef: string; managementUrl?: string };
    /** The project's database (no password), when set. */
    databaseUrl?: string;
}

export const supabaseService = defineService({
    key: "supabase",
    section,
    secrets: [{ credential: serviceRoleKey }],

    plan(s, ctx): SupabasePlan {
        const buckets = Object.fromEntries(
            Object.entries(s.buckets).map(([name, b]) => [
                name,
                {
                    // An adopted bucket keeps its id; a new one gets the stack's name.
                    bucketId: b.adopt ? b.adopt.id : ctx.name(`supabase.buckets.${name}`, () => physicalName(ctx.env, name, NAME_RULES.supabaseBucket)),
                    ...adoptionOf(b.adopt),
                    public: b.public,
                    fileSizeLimit: b.fileSizeLimit ?? null,
                    allowedMimeTypes: b.allowedMimeTypes ?? null,
                    forceDestroy: b.forceDestroy ?? false,
                },
            ]),
        );
        return {
            storage: { projectUrl: s.url, buckets, policy: dataPolicyOf(ctx.env) },
            ...(s.projectRef ? { functions: { projectRef: s.projectRef, ...(s.managementUrl ? { managementUrl: s.managementUrl } : {}) } } : {}),
            ...(s.database ? { databaseUrl: s.database.url } : {}),
        };
    },

    build: (plan) => new SupabaseStorage("supabase-storage", plan.storage),
    outputs: (storage) => ({ supabaseBucketIds: storage.bucketIds }),
});
