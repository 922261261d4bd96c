/** Appwrite's kinds against the Appwrite emulator (added with the trust work of issue 11). */
import type { KindScenario } from "./scenario";

export function appwriteScenarios(): KindScenario[] {
    return [];
}
