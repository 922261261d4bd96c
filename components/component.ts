/**
 * What every stackwire component shares: a data policy instead of the stack's environment, and
 * transform hooks that let a user adjust any child's args and resource options without forking
 * the component (SST's `Transform` is the model).
 */
import type * as pulumi from "@pulumi/pulumi";

/** How a component treats the data it holds. */
export interface DataPolicy {
    /** Stateful children get `protect: true`: no accidental replace or delete. */
    protect: boolean;
    /** Data stores stay in place when removed from the program or on `pulumi destroy`. */
    retainOnDelete: boolean;
    /** Data stores are emptied on delete rather than refused when they still hold data. */
    forceDestroy: boolean;
}

/** Nothing protected, nothing retained, nothing emptied: a component's default. */
export const UNPROTECTED: DataPolicy = { protect: false, retainOnDelete: false, forceDestroy: false };

/**
 * Adjusts one child before it is created: a partial object merged into its args, or a function
 * that may change the args and options in place, or return new args.
 */
export type Transform<Args> = Partial<Args> | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => Args | void);

/** The child's name, args and options after the user's transform, ready to spread into `new`. */
export function transformed<Args extends object, Opts extends pulumi.CustomResourceOptions>(transform: Transform<Args> | undefined, name: string, args: Args, opts: Opts): [string, Args, Opts] {
    if (transform === undefined) return [name, args, opts];
    if (typeof transform === "function") {
        const copy = { ...args };
        const options = { ...opts };
        const replaced = transform(copy, options, name);
        return [name, replaced ?? copy, options];
    }
    return [name, { ...args, ...transform }, opts];
}

/** An object of a component that may take over an existing one (`adopt`, core/adopt.ts). */
export interface Adoptable {
    /** The id of the existing object to take over instead of creating one. */
    adopt?: string;
    /** Delete the adopted object with the stack. @default false: it predates the stack, so it is retained */
    deleteAdopted?: boolean;
}

/** The resource args of an adoptable object (without `deleteAdopted`) and its options: an adopted object is retained on delete unless told otherwise. */
export function adoptable<T extends Adoptable>(args: T): [Omit<T, "deleteAdopted">, pulumi.CustomResourceOptions] {
    const { deleteAdopted, ...rest } = args;
    return [rest, args.adopt !== undefined && !deleteAdopted ? { retainOnDelete: true } : {}];
}
