/** Every vendor's scenarios: a vendor added here joins the fault matrix, the leak check and the fidelity tier. */
import { agoraScenarios } from "./agora";
import { appwriteScenarios } from "./appwrite";
import { expoScenarios } from "./expo";
import { gitlabScenarios } from "./gitlab";
import { mapboxScenarios } from "./mapbox";
import { openaiScenarios } from "./openai";
import { posthogScenarios } from "./posthog";
import { resendScenarios } from "./resend";
import type { KindScenario } from "./scenario";
import { stripeScenarios } from "./stripe";
import { supabaseScenarios } from "./supabase";
import { trelloScenarios } from "./trello";

export interface ScenarioOptions {
    /**
     * The providers run on the real clock (in the provider host), so background work ends after a
     * short time rather than after a number of reads: a read-counted build would teach Appwrite's
     * wait to expect ever longer builds.
     */
    realClock?: boolean;
}

export function allScenarios(options: ScenarioOptions = {}): KindScenario[] {
    return [...resendScenarios(), ...stripeScenarios(), ...appwriteScenarios(options), ...gitlabScenarios(), ...trelloScenarios(), ...supabaseScenarios(), ...openaiScenarios(), ...agoraScenarios(), ...mapboxScenarios(), ...posthogScenarios(), ...expoScenarios()];
}
