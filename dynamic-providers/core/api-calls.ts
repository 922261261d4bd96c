/**
 * One SDK or REST call inside an operation: a failure becomes a typed ProviderError, and for reads
 * and removals "not found" is an answer (gone), not a failure. Each service says how to read its
 * errors; the control flow lives here once.
 */
import type { ProviderErrorDetails } from "./errors";
import type { HttpCall } from "./http";
import type { OperationContext } from "./provider";

export interface ApiErrors {
    /** What the API said, from the error its client threw. */
    details(err: unknown): Omit<ProviderErrorDetails, "service" | "operation">;
    /** Whether the error means the object does not exist. */
    isGone(err: unknown): boolean;
}

export async function callApi<T>(ctx: OperationContext, call: HttpCall, errors: ApiErrors, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        throw ctx.error(call, errors.details(err));
    }
}

/** The result, or undefined when the object is gone (refresh then drops it from state). */
export async function callOrGone<T>(ctx: OperationContext, call: HttpCall, errors: ApiErrors, run: () => Promise<T>): Promise<T | undefined> {
    try {
        return await run();
    } catch (err) {
        if (errors.isGone(err)) return undefined;
        throw ctx.error(call, errors.details(err));
    }
}

/** A removal; an object already gone counts as removed. */
export async function removeOrGone(ctx: OperationContext, call: HttpCall, errors: ApiErrors, run: () => Promise<unknown>): Promise<void> {
    await callOrGone(ctx, call, errors, run);
}
