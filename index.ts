// stackwire: read and validate the stack config, build the platform, export its outputs.
import { loadStack } from "./stacks/load";
import { buildPlatform, platformOutputs } from "./stacks/platform";

const { config, environment, context } = loadStack();
const outputs = platformOutputs(buildPlatform(config, context), config, environment);

export const environmentKind = outputs.environment;
export const supabaseBucketIds = outputs.supabaseBucketIds;
export const stripeProductIds = outputs.stripeProductIds;
/** Price ids by lookup key as written in the config. */
export const stripePriceIds = outputs.stripePriceIds;
/** Lookup keys as written → lookup keys in Stripe (which carry project and stack). */
export const stripeLookupKeys = outputs.stripeLookupKeys;
/** Secret: `pulumi stack output --show-secrets stripeWebhookSecrets`. */
export const stripeWebhookSecrets = outputs.stripeWebhookSecrets;
export const appwriteDatabaseIds = outputs.appwriteDatabaseIds;
export const appwriteBucketIds = outputs.appwriteBucketIds;
export const githubRepositoryUrls = outputs.githubRepositoryUrls;
/** Secret: webhook signing secrets by repository and webhook. */
export const githubWebhookSecrets = outputs.githubWebhookSecrets;
export const gitlabProjectIds = outputs.gitlabProjectIds;
/** Secret: GitLab webhook tokens (X-Gitlab-Token) by repository and webhook. */
export const gitlabWebhookSecrets = outputs.gitlabWebhookSecrets;
export const trelloBoardUrls = outputs.trelloBoardUrls;
/** Where each platform key was handed (names only, never values). */
export const platformKeyConsumers = outputs.platformKeyConsumers;
/** Secret: postgres:// URLs per application role. */
export const postgresConnectionUrls = outputs.postgresConnectionUrls;
/** Secret: redis:// URLs per consuming service. */
export const redisConnectionUrls = outputs.redisConnectionUrls;
/** The DNS records to publish for each Resend domain. */
export const resendDnsRecords = outputs.resendDnsRecords;
/** Secret: Resend API key tokens by name. */
export const resendApiKeyTokens = outputs.resendApiKeyTokens;
/** The stack's OpenAI project. */
export const openaiProjectId = outputs.openaiProjectId;
/** Secret: the API key of the service account the stack made. */
export const openaiApiKey = outputs.openaiApiKey;
/** The stack's Agora project and its App ID. */
export const agoraProjectId = outputs.agoraProjectId;
export const agoraAppId = outputs.agoraAppId;
/** Secret: the Agora project's primary App Certificate. */
export const agoraAppCertificate = outputs.agoraAppCertificate;
/** Secret: the Mapbox access tokens the stack made, by name. */
export const mapboxTokens = outputs.mapboxTokens;
/** The stack's PostHog project, its project key (public by PostHog's design) and its feature flags' ids. */
export const posthogProjectId = outputs.posthogProjectId;
export const posthogProjectKey = outputs.posthogProjectKey;
export const posthogFeatureFlagIds = outputs.posthogFeatureFlagIds;
/** The relay's URL: each wired source posts to `<relayUrl>/<source>`. */
export const relayUrl = outputs.relayUrl;
