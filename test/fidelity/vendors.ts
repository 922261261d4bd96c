/** The vendors whose emulators are checked against a published OpenAPI spec, and how to read it. */
import type { Emulator } from "../../sandbox/emulators/frame";
import { sandboxEmulators } from "../../sandbox/local-stack";

export interface FidelityVendor {
    emulator(): Emulator;
    /** What the emulator's route paths carry that the spec's paths do not. */
    routePrefix: string;
    bodyEncoding: "json" | "stripe-form";
}

export const FIDELITY_VENDORS: Record<string, FidelityVendor> = {
    stripe: { emulator: () => sandboxEmulators().stripe, routePrefix: "", bodyEncoding: "stripe-form" },
    appwrite: { emulator: () => sandboxEmulators().appwrite, routePrefix: "/v1", bodyEncoding: "json" },
    resend: { emulator: () => sandboxEmulators().resend, routePrefix: "", bodyEncoding: "json" },
    "supabase-management": { emulator: () => sandboxEmulators().management, routePrefix: "", bodyEncoding: "json" },
};
