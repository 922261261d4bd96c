/**
 * One object of each dynamic resource kind, made against its emulator: what the fault matrix,
 * the secret-leak check and the fidelity tier all drive. A vendor's file lists its kinds; the
 * registry (`index.ts`) lists the vendors.
 */
import type { Emulator } from "../../sandbox/emulators/frame";
import type { ResourceDefinition } from "../../dynamic-providers/core/provider";

type Props = Record<string, unknown>;

/** The emulator a vendor's kinds share, the credentials its providers are configured with. */
export interface VendorRig {
    vendor: string;
    emulator: Emulator;
    /** Stack config (without the namespace) the provider host would hand over. */
    credentials: Record<string, string>;
    /** Inputs that point a resource at the emulator, once it has started. */
    connection(): Props;
}

export interface KindScenario {
    /** "module:type", as in the engine's registry. */
    kind: string;
    rig: VendorRig;
    // The matrix drives every kind through one loop, whatever its inputs' type.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    definition: ResourceDefinition<any, any>;
    /** Inputs for one object; parents are made here (in the emulator or through their providers). */
    inputs(): Promise<Props>;
    /** A change made in place; absent when every change replaces the object. */
    change?: Props;
    /** The route key of the write each operation sends: the faults go there. */
    writes: { create: string; update?: string; delete: string };
    /**
     * Ids of this kind's live objects in the emulator: one after a create, none after a delete.
     * Where delete archives (Stripe), archived objects are not live.
     */
    held(): string[];
    /** Delete archives rather than removes: a read afterwards still finds the object. */
    archivedOnDelete?: boolean;
    /** Inputs set to a secret value: the leak check replaces them with canaries. */
    secretInputs?: (inputs: Props, canary: string) => Props;
    /** What the outputs must agree on with the emulator beyond the diff (a token is the key's). */
    verify?(id: string, outs: Props): void;
    /**
     * A credential the API accepts but that cannot see this object (another account, project,
     * team or scope), as stack config; `answers` says what the service answers it, as the
     * emulator route cites. Refresh and destroy with it must fail and keep the object.
     */
    blind?: { credentials: Record<string, string>; answers: string };
    /** Deletes the object behind the provider's back, in the emulator's own data. */
    removeOutOfBand?(id: string): void;
    /** Deletes the place the object lives (its project, board, collection) and the object with it. */
    removeParentOutOfBand?(id: string): void;
    /** Inputs whose ids hold characters the service's naming rule forbids in a URL: check must refuse them. */
    reservedIds?: Props[];
    /** Inputs whose ids hold URL-reserved characters the service allows (`?`, `#`, `.`): they must reach their own object. */
    awkwardIds?: Props[];
}
