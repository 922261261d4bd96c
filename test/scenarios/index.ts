/** Every vendor's scenarios: a vendor added here joins the fault matrix, the leak check and the fidelity tier. */
import { appwriteScenarios } from "./appwrite";
import { gitlabScenarios } from "./gitlab";
import { resendScenarios } from "./resend";
import type { KindScenario } from "./scenario";
import { stripeScenarios } from "./stripe";
import { supabaseScenarios } from "./supabase";
import { trelloScenarios } from "./trello";

export function allScenarios(): KindScenario[] {
    return [...resendScenarios(), ...stripeScenarios(), ...appwriteScenarios(), ...gitlabScenarios(), ...trelloScenarios(), ...supabaseScenarios()];
}
