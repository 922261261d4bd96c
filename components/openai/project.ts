/**
 * The stack's OpenAI project and the service account whose API key the stack hands to its
 * consumers (keyConsumers' `openai.apiKey`): the key is made by the stack instead of copied by
 * hand, and rotated by changing `keyRotation`.
 */
import * as pulumi from "@pulumi/pulumi";
import { OpenaiProject, type OpenaiProjectArgs } from "../../dynamic-providers/openai/project";
import { OpenaiRateLimit, type OpenaiRateLimitArgs } from "../../dynamic-providers/openai/rate-limit";
import { OpenaiServiceAccount, type OpenaiServiceAccountArgs } from "../../dynamic-providers/openai/service-account";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const OPENAI_PROJECT_TYPE = "stackwire:openai:Project";

export interface OpenaiPlatformArgs extends Adoptable {
    /** Another API (the sandbox's emulator). @default https://api.openai.com/v1 */
    baseUrl?: string;
    /** The project's name. */
    name: string;
    residency?: OpenaiProjectArgs["residency"];
    /** The service account's name. */
    serviceAccountName: string;
    /** Change it (1, 2, …) to rotate the key. @default 0 */
    keyRotation?: number;
    /** The project's limits per model ("gpt-4o-mini"); what OpenAI had is restored on destroy. */
    rateLimits?: Record<string, Omit<OpenaiRateLimitArgs, "baseUrl" | "projectId" | "model">>;
    /** Protects the project. @default nothing protected */
    policy?: DataPolicy;
    transform?: { project?: Transform<OpenaiProjectArgs>; serviceAccount?: Transform<OpenaiServiceAccountArgs>; rateLimit?: Transform<OpenaiRateLimitArgs> };
}

export class OpenaiPlatform extends pulumi.ComponentResource {
    public readonly projectId: pulumi.Output<string>;
    /** The service account's API key; secret. */
    public readonly apiKey: pulumi.Output<string>;

    constructor(name: string, args: OpenaiPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super(OPENAI_PROJECT_TYPE, name, {}, opts);
        const connection = args.baseUrl ? { baseUrl: args.baseUrl } : {};
        const [{ adopt }, adoption] = adoptable({ adopt: args.adopt, deleteAdopted: args.deleteAdopted });
        const projectArgs: OpenaiProjectArgs = { ...connection, name: args.name, residency: args.residency ?? null, ...(adopt ? { adopt } : {}) };
        const project = new OpenaiProject(...transformed(args.transform?.project, `${name}-project`, projectArgs, { parent: this, protect: (args.policy ?? UNPROTECTED).protect, ...adoption }));
        const accountArgs: OpenaiServiceAccountArgs = { ...connection, projectId: project.id, name: args.serviceAccountName, rotation: args.keyRotation ?? 0 };
        const account = new OpenaiServiceAccount(...transformed(args.transform?.serviceAccount, `${name}-service-account`, accountArgs, { parent: project }));
        for (const [model, limits] of Object.entries(args.rateLimits ?? {})) {
            const limitArgs: OpenaiRateLimitArgs = { ...connection, projectId: project.id, model, ...limits };
            new OpenaiRateLimit(...transformed(args.transform?.rateLimit, `${name}-rate-limit-${model}`, limitArgs, { parent: project }));
        }
        this.projectId = project.id;
        this.apiKey = pulumi.secret(account.apiKey);
        this.registerOutputs({ projectId: this.projectId, apiKey: this.apiKey });
    }
}
