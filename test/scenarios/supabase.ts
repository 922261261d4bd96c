/** Supabase's kinds against the Supabase emulator (added with the trust work of issue 11). */
import type { KindScenario } from "./scenario";

export function supabaseScenarios(): KindScenario[] {
    return [];
}
