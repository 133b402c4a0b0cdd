// Package pricing prices Claude API requests at list price, one request at a time.
//
// # The table
//
// The prices live in prices.json, embedded in the binary (Default), with the date
// they were last checked against Anthropic's pricing page (Table.Checked,
// Table.Stale after 90 days). A file of the same shape, given with --pricing, adds
// models and providers or replaces them by id (Table.Override). Each model has a
// canonical id, a display name, aliases, and rates in USD per million tokens for
// input, output, 5-minute cache write, 1-hour cache write and cache read; and, where
// they exist, rate changes by date, a long-context tier, fast-mode rates and the
// us-inference flag.
//
// # Names
//
// Table.Lookup finds a model by its id, display name or an alias, in any letter
// case, and in each provider's spelling of them:
//
//	claude-sonnet-4-5-20250929, claude-sonnet-4-5       Anthropic API, dated and undated
//	claude-3-5-sonnet-20241022                          old-style API id
//	anthropic.claude-sonnet-4-5-20250929-v1:0           Bedrock, optionally with a
//	us./eu./apac./global.anthropic.claude-...           cross-region prefix
//	claude-sonnet-4-5@20250929                          Vertex AI
//	anthropic/claude-sonnet-4.5                         OpenRouter
//	Claude Sonnet 4.5, Claude 3.5 Sonnet 2024-10-22     Console cost export
//
// Only those rules are applied; a name they do not reduce to a known id is
// unknown, and Table.Cost reports it as such rather than pricing it at $0.
//
// # Rules
//
// Table.Cost prices one usage.Request:
//
//   - Rates are those in effect on the request's UTC day (a model's "changes").
//   - Long context: if the request's prompt input (input + cache writes + cache
//     reads) is strictly above the model's tier threshold, every token of the
//     request, output included, is billed at the tier's rates. Requests are not
//     split into a part below and a part above the threshold.
//   - Speed "fast" uses the model's fast input and output rates; its cache rates
//     are the model's own cache multipliers, the ratios of its listed cache rates
//     to its listed input rate (1.25x, 2x and 0.1x for most models; 0.025x for
//     reads on Fable and Mythos 5.1; 0.05x for reads on Opus 5.5), applied to the
//     fast input rate. A model without fast rates bills fast requests at
//     standard rates.
//   - inference_geo "us" costs 1.1x on every token class, on models marked for it
//     (4.6 and later).
//   - Service tier "batch" costs 0.5x on every token class: input and output are
//     halved and the cache rates, multiples of input, stack on the halved base.
//     Other tiers ("standard", "priority", "") are billed at standard rates.
//   - Web searches cost $10 per 1,000; web fetches are free beyond their tokens.
//   - The provider's multiplier applies to the whole cost.
//
// A Table never changes once built and is safe for concurrent use.
package pricing
