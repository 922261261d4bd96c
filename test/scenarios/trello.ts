/** Trello's kinds against the Trello emulator (added with the trust work of issue 11). */
import type { KindScenario } from "./scenario";

export function trelloScenarios(): KindScenario[] {
    return [];
}
