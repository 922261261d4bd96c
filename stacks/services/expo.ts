/**
 * Expo: the EAS project whose environment variables receive the stack's keys (keyConsumers'
 * `expoVariable`). The section names the project; the variables are made by the key fan-out.
 */
import { z } from "zod";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { expoToken } from "../../dynamic-providers/expo/client";
import { expoVariableInputSchema } from "../../dynamic-providers/expo/schema";
import { defineService } from "../service";

const section = z
    .object({
        /** Another API (the sandbox's emulator). @default https://api.expo.dev */
        baseUrl: httpUrl().optional(),
        /** The EAS project id: app.json `extra.eas.projectId`. */
        projectId: expoVariableInputSchema().shape.projectId,
    })
    .strict();

export const expoService = defineService({
    key: "expo",
    section,
    secrets: [
        {
            credential: expoToken,
            neededBy: (s) => Object.values((s.keyConsumers as Record<string, { kind?: string }[]> | undefined) ?? {}).some((list) => Array.isArray(list) && list.some((c) => c.kind === "expoVariable")),
            neededWhen: "a key goes to an expoVariable consumer",
        },
    ],
    plan: (s) => s,
});
