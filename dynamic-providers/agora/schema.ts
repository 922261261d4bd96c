/** Agora Console REST API inputs: a project per stack, whose App ID and certificate the stack hands on. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";

/** Agora's REST host, unless another is given (the sandbox's emulator). */
export const AGORA_BASE_URL = "https://api.agora.io";

/** "between 1 to 255 characters in length" (Agora Console REST API, Create a project). */
export const AGORA_PROJECT_NAME_MAX = 255;

export function agoraProjectInputSchema() {
    return z.object({
        baseUrl: baseUrlSchema(AGORA_BASE_URL),
        /** Unique in the account; Agora has no route to rename a project, so a new name is a new project. */
        name: z.string().trim().min(1, "must not be empty").max(AGORA_PROJECT_NAME_MAX),
        /** The primary App Certificate, which token servers sign with; without it any App ID holder can join. */
        certificate: z.boolean().default(true),
    });
}
export type AgoraProjectInputs = z.output<ReturnType<typeof agoraProjectInputSchema>>;
