/** Stripe's kinds against the Stripe emulator (added with the trust work of issue 11). */
import type { KindScenario } from "./scenario";

export function stripeScenarios(): KindScenario[] {
    return [];
}
