/** Gitlab's kinds against the Gitlab emulator (added with the trust work of issue 11). */
import type { KindScenario } from "./scenario";

export function gitlabScenarios(): KindScenario[] {
    return [];
}
