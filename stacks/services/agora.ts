/** Agora: a project per stack, whose App ID and certificate the stack hands to its consumers. */
import { z } from "zod";
import { AgoraPlatform, type AgoraPlatformArgs } from "../../components/agora/project";
import { agoraCustomerId, agoraCustomerSecret } from "../../dynamic-providers/agora/client";
import { AGORA_PROJECT_NAME_MAX } from "../../dynamic-providers/agora/schema";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { dataPolicyOf } from "../environment";
import { NAME_RULES, physicalName } from "../naming";
import { adoptionOf, defineService, projectSection } from "../service";

const section = z
    .object({
        /** Another API (the sandbox's emulator). @default https://api.agora.io */
        baseUrl: httpUrl().optional(),
        /** name (default <project>-<stack>-agora), certificate (the primary App Certificate, which token servers sign with), adopt. */
        project: projectSection(AGORA_PROJECT_NAME_MAX, { certificate: z.boolean().default(true) }).default({ certificate: true }),
    })
    .strict();

export const agoraService = defineService({
    key: "agora",
    section,
    secrets: [{ credential: agoraCustomerId }, { credential: agoraCustomerSecret }],

    plan: (s, ctx): AgoraPlatformArgs => ({
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
        name: s.project.name ?? ctx.name("agora.project.name", () => physicalName(ctx.env, "agora", NAME_RULES.agoraProject)),
        certificate: s.project.certificate,
        policy: dataPolicyOf(ctx.env),
        ...adoptionOf(s.project.adopt),
    }),

    build: (plan) => new AgoraPlatform("agora", plan),
    outputs: (platform) => ({ agoraProjectId: platform.projectId, agoraAppId: platform.appId, agoraAppCertificate: platform.appCertificate }),
    // Without a certificate there is none to hand on: a consumer of it is refused as naming no key.
    keysMade: (s) => ((s as { project?: { certificate?: unknown } } | undefined)?.project?.certificate === false ? ["agora.appId"] : ["agora.appId", "agora.appCertificate"]),
    keyValues: (platform) => ({ "agora.appId": platform.appId, "agora.appCertificate": platform.appCertificate }),
});
