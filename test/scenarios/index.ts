/** Every vendor's scenarios: a vendor added here joins the fault matrix, the leak check and the fidelity tier. */
import { resendScenarios } from "./resend";
import type { KindScenario } from "./scenario";

export function allScenarios(): KindScenario[] {
    return [...resendScenarios()];
}
