/**
 * The stack's PostHog project and the feature flags the config declares. Its project key is the
 * value of keyConsumers' `posthog.projectKey`, made by the stack instead of copied.
 */
import * as pulumi from "@pulumi/pulumi";
import { PosthogFeatureFlag, type PosthogFeatureFlagArgs } from "../../dynamic-providers/posthog/feature-flag";
import { PosthogProject, type PosthogProjectArgs } from "../../dynamic-providers/posthog/project";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const POSTHOG_PROJECT_TYPE = "stackwire:posthog:Project";

export interface PosthogFlagSpec extends Adoptable {
    description?: string;
    rolloutPercentage?: number;
    active?: boolean;
}

export interface PosthogPlatformArgs extends Adoptable {
    /** Another PostHog (EU Cloud, self-hosted, the sandbox's emulator). @default https://us.posthog.com */
    baseUrl?: string;
    organizationId: string;
    /** The project's name. */
    name: string;
    /** Feature flags by key. */
    featureFlags?: Record<string, PosthogFlagSpec>;
    /** Protects the project (its events). @default nothing protected */
    policy?: DataPolicy;
    transform?: { project?: Transform<PosthogProjectArgs>; featureFlag?: Transform<PosthogFeatureFlagArgs> };
}

export class PosthogPlatform extends pulumi.ComponentResource {
    public readonly projectId: pulumi.Output<string>;
    /** The project key (phc_…), which apps send events with. */
    public readonly projectKey: pulumi.Output<string>;
    /** Each flag's id by key. */
    public readonly featureFlagIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: PosthogPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super(POSTHOG_PROJECT_TYPE, name, {}, opts);
        const connection = args.baseUrl ? { baseUrl: args.baseUrl } : {};
        const [{ adopt }, adoption] = adoptable({ adopt: args.adopt, deleteAdopted: args.deleteAdopted });
        const projectArgs: PosthogProjectArgs = { ...connection, organizationId: args.organizationId, name: args.name, ...(adopt ? { adopt } : {}) };
        const project = new PosthogProject(...transformed(args.transform?.project, `${name}-project`, projectArgs, { parent: this, protect: (args.policy ?? UNPROTECTED).protect, ...adoption }));
        this.featureFlagIds = {};
        for (const [key, flag] of Object.entries(args.featureFlags ?? {})) {
            const [{ adopt: adoptFlag }, flagAdoption] = adoptable({ adopt: flag.adopt, deleteAdopted: flag.deleteAdopted });
            const flagArgs: PosthogFeatureFlagArgs = {
                ...connection,
                projectId: project.id.apply(Number),
                key,
                description: flag.description ?? "",
                rolloutPercentage: flag.rolloutPercentage ?? 100,
                active: flag.active ?? true,
                ...(adoptFlag ? { adopt: adoptFlag } : {}),
            };
            this.featureFlagIds[key] = new PosthogFeatureFlag(...transformed(args.transform?.featureFlag, `${name}-flag-${key}`, flagArgs, { parent: project, ...flagAdoption })).id;
        }
        this.projectId = project.id;
        this.projectKey = project.apiToken;
        this.registerOutputs({ projectId: this.projectId, projectKey: this.projectKey, featureFlagIds: this.featureFlagIds });
    }
}
