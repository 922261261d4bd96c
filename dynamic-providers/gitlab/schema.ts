/** Shapes and rules of GitLab objects, used by the stack config and by the providers' check. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";
import { httpUrl } from "../core/validation";

export const GITLAB_BASE_URL = "https://gitlab.com";

export function gitlabConnectionShape() {
    return { baseUrl: baseUrlSchema(GITLAB_BASE_URL) };
}

/**
 * The resource's own URN (the resource class passes it, `urnInput`): the mark that tells this
 * stack's objects from others. Absent when a provider is driven directly; creates then fall back
 * to identity and recency (core/ownership.ts).
 */
export function resourceUrnShape() {
    return { resourceUrn: z.string().min(1).nullable().default(null) };
}

export function projectIdSchema() {
    return z.string().regex(/^\d+$/, "must be a numeric project id");
}

/** GitLab's rule for CI/CD variable keys. */
export const VARIABLE_KEY_PATTERN = /^[A-Za-z0-9_]{1,255}$/;

/**
 * Whether GitLab can mask a value: at least 8 characters, no whitespace, and (unless the
 * variable is raw) only the Base64 alphabets of RFC 4648 and @ : . ~
 */
export function maskingProblem(value: string, raw: boolean): string | undefined {
    if (value.length < 8) return "a masked value must have at least 8 characters";
    if (/\s/.test(value)) return "a masked value must not contain spaces or line breaks";
    if (!raw) {
        const bad = [...new Set(value.replace(/[A-Za-z0-9+/=@:.~_-]/g, ""))];
        if (bad.length > 0) return `a masked value may hold only letters, digits and + / = @ : . ~ - _ (found ${bad.map((c) => JSON.stringify(c)).join(" ")}); mark it raw to allow other characters`;
    }
    return undefined;
}

export function projectInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        /** Group or user namespace id; the token's user when absent. */
        namespaceId: z.number().int().positive().nullable().default(null),
        path: z.string().min(1).max(255).regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/, "must start with a letter, digit or _ and hold only letters, digits, _ . -").refine((p) => !/\.(git|atom)$/.test(p), "must not end in .git or .atom"),
        name: z.string().min(1).max(255),
        visibility: z.enum(["private", "internal", "public"]).default("private"),
        description: z.string().max(2000).default(""),
        /**
         * The default branch. GitLab creates it only with `initializeWithReadme`; an empty
         * project's HEAD points at it, and GitLab shows its instance default until a branch lands.
         */
        defaultBranch: z.string().min(1).default("main"),
        /**
         * Create the default branch with a README commit; taken at creation only. Leave off for a
         * mirror. Optional rather than defaulted, so state written before it existed shows no change.
         */
        initializeWithReadme: z.boolean().optional(),
        ...resourceUrnShape(),
    });
}

export type GitlabProjectInputs = z.output<ReturnType<typeof projectInputSchema>>;
/** Event switches GitLab takes on a project hook, and our names for them. */
export const GITLAB_HOOK_EVENTS = {
    push: "push_events",
    tagPush: "tag_push_events",
    mergeRequests: "merge_requests_events",
    issues: "issues_events",
    notes: "note_events",
    pipeline: "pipeline_events",
    job: "job_events",
    releases: "releases_events",
    deployment: "deployment_events",
} as const;

export type GitlabHookEvent = keyof typeof GITLAB_HOOK_EVENTS;
export const GITLAB_HOOK_EVENT_NAMES = Object.keys(GITLAB_HOOK_EVENTS) as [GitlabHookEvent, ...GitlabHookEvent[]];

export function hookInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        projectId: projectIdSchema(),
        url: httpUrl(),
        token: z.string().min(1).nullable().default(null),
        events: z
            .array(z.enum(GITLAB_HOOK_EVENT_NAMES, { error: `must be one of ${GITLAB_HOOK_EVENT_NAMES.join(", ")}` }))
            .min(1, "must list at least one event")
            .transform((e) => [...new Set(e)].sort()),
        enableSslVerification: z.boolean().default(true),
        ...resourceUrnShape(),
    });
}

export type HookInputs = z.output<ReturnType<typeof hookInputSchema>>;

const mirrorUrl = () => z.url({ protocol: /^https$/, error: "must be an https URL of the repository, credentials included (https://user:token@github.com/org/repo.git)" });

export function pullMirrorInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        projectId: projectIdSchema(),
        importUrl: mirrorUrl(),
        triggerBuilds: z.boolean().default(false),
        onlyProtectedBranches: z.boolean().default(false),
    });
}

export type PullMirrorInputs = z.output<ReturnType<typeof pullMirrorInputSchema>>;

export function pushMirrorInputSchema() {
    return z.object({
        ...gitlabConnectionShape(),
        projectId: projectIdSchema(),
        url: mirrorUrl(),
        enabled: z.boolean().default(true),
        onlyProtectedBranches: z.boolean().default(false),
        keepDivergentRefs: z.boolean().default(false),
    });
}

export type PushMirrorInputs = z.output<ReturnType<typeof pushMirrorInputSchema>>;

export function variableInputSchema() {
    return z
        .object({
            ...gitlabConnectionShape(),
            projectId: projectIdSchema(),
            key: z.string().regex(VARIABLE_KEY_PATTERN, "must be letters, digits and _ only, at most 255 characters"),
            value: z.string().max(10_000, "must be at most 10,000 characters"),
            masked: z.boolean().default(true),
            protected: z.boolean().default(false),
            environmentScope: z.string().min(1).default("*"),
            raw: z.boolean().default(false),
            variableType: z.enum(["env_var", "file"]).default("env_var"),
            ...resourceUrnShape(),
        })
        .superRefine((v, ctx) => {
            const problem = v.masked ? maskingProblem(v.value, v.raw) : undefined;
            if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: `cannot be masked: ${problem}` });
        });
}

export type VariableInputs = z.output<ReturnType<typeof variableInputSchema>>;
