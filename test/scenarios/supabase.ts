/**
 * Supabase's kinds against their emulators: Storage buckets (no published OpenAPI: the emulator
 * follows supabase/storage's server source), and through the Management API (checked against
 * api_v1_openapi.json by the fidelity tier) Edge Function secrets, Edge Functions and Auth's
 * custom SMTP settings.
 */
import { authSmtpDefinition } from "../../dynamic-providers/supabase/auth-smtp";
import { bucketDefinition } from "../../dynamic-providers/supabase/bucket";
import { edgeFunctionDefinition } from "../../dynamic-providers/supabase/edge-function";
import { secretSetDefinition } from "../../dynamic-providers/supabase/secrets";
import { SupabaseManagementEmulator } from "../../sandbox/emulators/supabase-management";
import { SupabaseStorageEmulator } from "../../sandbox/emulators/supabase-storage";
import type { KindScenario, VendorRig } from "./scenario";
import { fakeCredential } from "../fake-credential";

/** Keys shaped as Supabase issues them: JWTs whose `role` claim says what they may do. */
const jwt = (role: string) => ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", Buffer.from(JSON.stringify({ iss: "supabase", ref: "scenario", role })).toString("base64url"), "c2lnbmF0dXJl"].join(".");
const SERVICE_ROLE_KEY = jwt("service_role");
const ANON_KEY = jwt("anon");
const ACCESS_TOKEN = fakeCredential("sbp_", "scenarioAccessToken0123456789abcdef");
/** A valid token of an account in another organisation: it may reach none of REF's routes. */
const OTHER_ACCOUNT_TOKEN = fakeCredential("sbp_", "scenarioOtherAccount0123456789abcd");
/** A project reference as the Management API spells them: 20 lower-case letters. */
const REF = "scenarioprojectrefab";
const SECRET_NAMES = ["OPENAI_API_KEY", "RESEND_API_KEY"];
const SLUG = "relay";
/** Ids a URL would misroute, and refs outside the spec's pattern: check refuses them all. */
const RESERVED_REFS = [{ projectRef: "." }, { projectRef: ".." }, { projectRef: "abcdefghij/klmnopqrs" }, { projectRef: "abcdefghij?klmnopqrs" }, { projectRef: "abcdefghij#klmnopqrs" }, { projectRef: "abcdefghij%2fklmnopq" }];
/** A token of another organisation: 403 with the API's "necessary privileges" message on every project route. */
const BLIND = { credentials: { supabaseAccessToken: OTHER_ACCOUNT_TOKEN }, answers: '403 {"message":"Your account does not have the necessary privileges to access this endpoint. ..."}' };

export function supabaseScenarios(): KindScenario[] {
    const storage = new SupabaseStorageEmulator({ serviceRoleKey: SERVICE_ROLE_KEY, anonKey: ANON_KEY });
    const storageRig: VendorRig = { vendor: "supabase-storage", emulator: storage, credentials: { supabaseServiceRoleKey: SERVICE_ROLE_KEY }, connection: () => ({ projectUrl: storage.url }) };
    const management = new SupabaseManagementEmulator({ token: ACCESS_TOKEN, projects: [REF], otherAccountTokens: [OTHER_ACCOUNT_TOKEN] });
    const managementRig: VendorRig = { vendor: "supabase-management", emulator: management, credentials: { supabaseAccessToken: ACCESS_TOKEN }, connection: () => ({ managementUrl: management.url }) };
    const ours = () => management.secrets.get(REF) ?? new Map<string, string>();
    return [
        {
            kind: "supabase:StorageBucket",
            rig: storageRig,
            definition: bucketDefinition,
            inputs: async () => ({ bucketId: "stackwire-dev-avatars", public: true, fileSizeLimit: 5_000_000, allowedMimeTypes: ["image/png", "image/*"] }),
            change: { public: false, fileSizeLimit: 1_000_000 },
            writes: { create: "POST /storage/v1/bucket", update: "PUT /storage/v1/bucket/:id", delete: "DELETE /storage/v1/bucket/:id" },
            held: () => [...storage.buckets.keys()],
            // supabase/storage: row-level security hides every bucket from the anon role, which gets 404 NoSuchBucket.
            blind: { credentials: { supabaseServiceRoleKey: ANON_KEY }, answers: "404 NoSuchBucket" },
            removeOutOfBand: (id) => void storage.buckets.delete(id),
            awkwardIds: [{ bucketId: "x?y" }, { bucketId: "v1.2" }, { bucketId: "a+b=c" }],
            reservedIds: [{ bucketId: "." }, { bucketId: ".." }, { bucketId: "a/b" }, { bucketId: "a#b" }],
            verify: (id, outs) => {
                const b = storage.buckets.get(id);
                if (!b || b.public !== outs.public || b.file_size_limit !== outs.fileSizeLimit) throw new Error(`the outputs do not describe bucket ${id} as it is`);
            },
        },
        {
            kind: "supabase:SecretSet",
            rig: managementRig,
            definition: secretSetDefinition,
            inputs: async () => ({ projectRef: REF, secrets: { OPENAI_API_KEY: "sk-proj-scenario-one", RESEND_API_KEY: "re_scenario_one" } }),
            change: { secrets: { OPENAI_API_KEY: "sk-proj-scenario-two" } },
            writes: { create: "POST /v1/projects/:ref/secrets", update: "POST /v1/projects/:ref/secrets", delete: "DELETE /v1/projects/:ref/secrets" },
            // The set is one object: live while any of its names is set on the project.
            held: () => (SECRET_NAMES.some((name) => ours().has(name)) ? [`${REF}/secrets`] : []),
            secretInputs: (inputs, canary) => ({ ...inputs, secrets: { OPENAI_API_KEY: canary } }),
            // A token of another organisation: 403 with the API's "necessary privileges" message on every
            // project route (api_v1_openapi.json documents 403, not 404; supabase/cli#6392, supabase/mcp#329).
            blind: { credentials: { supabaseAccessToken: OTHER_ACCOUNT_TOKEN }, answers: '403 {"message":"Your account does not have the necessary privileges to access this endpoint. ..."}' },
            removeOutOfBand: () => {
                for (const name of SECRET_NAMES) ours().delete(name);
            },
            // The project deleted: its secret routes answer 404, and the project list no longer has it.
            removeParentOutOfBand: () => void management.secrets.delete(REF),
            // A project ref is 20 lower-case letters (the spec's `ref` pattern): nothing else reaches a URL.
            reservedIds: [{ projectRef: "." }, { projectRef: ".." }, { projectRef: "abcdefghij/klmnopqrs" }, { projectRef: "abcdefghij?klmnopqrs" }, { projectRef: "abcdefghij#klmnopqrs" }, { projectRef: "abcdefghij%2fklmnopq" }],
            verify: (_id, outs) => {
                const set = outs.secrets as Record<string, string>;
                for (const [name, value] of Object.entries(set)) if (ours().get(name) !== value) throw new Error(`secret ${name} in the outputs is not the project's`);
                for (const name of SECRET_NAMES) if (ours().has(name) && !(name in set)) throw new Error(`secret ${name} is set on the project but not in the outputs`);
            },
        },
        {
            kind: "supabase:EdgeFunction",
            rig: managementRig,
            definition: edgeFunctionDefinition,
            inputs: async () => ({
                projectRef: REF,
                projectUrl: `https://${REF}.supabase.co`,
                slug: SLUG,
                name: "stackwire relay",
                files: { "index.ts": 'import { reply } from "./reply.ts";\nDeno.serve(() => reply());\n', "reply.ts": 'export const reply = () => new Response("one");\n' },
                resourceUrn: "urn:pulumi:dev::stackwire::supabase:EdgeFunction::relay",
            }),
            change: { files: { "index.ts": 'import { reply } from "./reply.ts";\nDeno.serve(() => reply());\n', "reply.ts": 'export const reply = () => new Response("two");\n' } },
            // A deploy is an upsert by slug: the same route creates and updates.
            writes: { create: "POST /v1/projects/:ref/functions/deploy", update: "POST /v1/projects/:ref/functions/deploy", delete: "DELETE /v1/projects/:ref/functions/:slug" },
            held: () => [...(management.functions.get(REF)?.keys() ?? [])].map((slug) => `${REF}/${slug}`),
            blind: BLIND,
            removeOutOfBand: () => void management.functions.get(REF)?.delete(SLUG),
            removeParentOutOfBand: () => void management.secrets.delete(REF),
            // The deploy's slug rule (^[A-Za-z][A-Za-z0-9_-]*$) lets nothing through that a URL would misroute.
            reservedIds: [...RESERVED_REFS, { slug: "." }, { slug: ".." }, { slug: "a/b" }, { slug: "a?b" }, { slug: "a#b" }, { slug: "a%2fb" }],
            verify: (id, outs) => {
                const fn = management.functionOf(REF, SLUG);
                if (!fn || `${REF}/${fn.slug}` !== id || fn.version !== outs.version || fn.verify_jwt !== outs.verifyJwt) throw new Error(`the outputs do not describe function ${id} as it is`);
                const files = outs.files as Record<string, string>;
                for (const [path, text] of Object.entries(files)) if (Buffer.from(fn.files.get(path) ?? []).toString("utf8") !== text) throw new Error(`${path} is not what was deployed`);
            },
        },
        {
            kind: "supabase:AuthSmtp",
            rig: managementRig,
            definition: authSmtpDefinition,
            inputs: async () => ({ projectRef: REF, password: "re_scenarioSmtpKey_0123456789abcdef", adminEmail: "no-reply@example.com", senderName: "Stackwire", emailsPerHour: 60 }),
            change: { senderName: "Stackwire dev", emailsPerHour: 100 },
            writes: { create: "PATCH /v1/projects/:ref/config/auth", update: "PATCH /v1/projects/:ref/config/auth", delete: "PATCH /v1/projects/:ref/config/auth" },
            // The settings are live while custom SMTP is on.
            held: () => (management.authConfig(REF)?.smtp_host ? [`${REF}/config/auth/smtp`] : []),
            secretInputs: (inputs, canary) => ({ ...inputs, password: canary }),
            blind: BLIND,
            // Custom SMTP turned off in the dashboard.
            removeOutOfBand: () => management.editAuthConfig(REF, { smtp_host: null, smtp_pass: null }),
            removeParentOutOfBand: () => void management.secrets.delete(REF),
            reservedIds: RESERVED_REFS,
            verify: (_id, outs) => {
                const auth = management.authConfig(REF) ?? {};
                if (auth.smtp_host !== outs.host || auth.smtp_port !== String(outs.port) || auth.smtp_pass !== outs.password || auth.smtp_sender_name !== outs.senderName || auth.rate_limit_email_sent !== outs.emailsPerHour) {
                    throw new Error("the outputs do not describe the project's SMTP settings as they are");
                }
            },
        },
    ];
}
