/**
 * "Not found" means gone only when it is gone.
 *
 * A 404 also answers a credential that may not see the object (the wrong key, project, team or
 * scope) and a request that went to the wrong URL. Dropping the object from state then makes the
 * next `up` create a second one, and a destroy "succeeds" while the object lives on. So before a
 * read drops an object, or a delete counts a 404 as done, the provider confirms with the same
 * credential that it can see where the object lives (its project, database, board, account);
 * and every answer is checked to be about the object asked for before it becomes state.
 */
import type { CredentialSpec } from "./credentials";
import type { HttpCall } from "./http";
import type { OperationContext } from "./provider";

export interface WhereItLives {
    /** The place the object lives, for the message: `project 42`, `database "main"`. */
    name: string;
    /** Reads that place with the same credential: true when it is visible, else false or why not. */
    visible(): Promise<true | false | string>;
    /** The setting of the credential that must see it. */
    credential: CredentialSpec;
}

/**
 * Lets a 404 stand for "gone" only when the place the object lives is visible; otherwise fails
 * with an error naming the credential, and the state keeps the object.
 */
export async function confirmGone(ctx: OperationContext, call: HttpCall, what: string, where: WhereItLives): Promise<void> {
    const visible = await where.visible();
    if (visible === true) return;
    const why = typeof visible === "string" ? `: ${where.credential.configKey} ${visible}` : "";
    throw ctx.error(call, {
        status: 404,
        apiMessage:
            `${what} was not found, and ${where.name} is not visible with ${where.credential.configKey} either${why}. ` +
            `That credential may not see it (another key, account, project or scope), so it is kept in state. ` +
            `Check ${where.credential.configKey}${where.credential.envVars.length > 0 ? ` (or ${where.credential.envVars.join(" / ")})` : ""}`,
    });
}

/** The answer is about the object asked for, or the operation fails before the answer becomes state. */
export function answerIsAbout(ctx: OperationContext, call: HttpCall, what: string, askedId: string, answeredId: unknown): void {
    if (answeredId === askedId) return;
    throw ctx.error(call, { apiMessage: `asked for ${what} "${askedId}" and was answered about ${answeredId === undefined ? "something without an id" : `"${String(answeredId)}"`}: the request may have gone to the wrong URL; nothing was changed in state` });
}

/**
 * A path segment that reaches the object it names: reserved characters encoded. "." and ".."
 * cannot be reached at all (URL parsers resolve them away, %2E included): check refuses them.
 */
export function segment(id: string): string {
    if (id === "." || id === "..") throw new Error(`"${id}" cannot be addressed in a URL`);
    return encodeURIComponent(id);
}
