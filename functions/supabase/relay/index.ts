// stackwire's relay, a Supabase Edge Function: see handler.ts and docs/functions.md.
import { handle } from "./handler.ts";

Deno.serve(handle);
