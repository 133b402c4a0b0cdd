// Package billing reads the CSV files people download from their API billing
// (Anthropic Console usage and cost exports, OpenRouter activity exports, and
// any other CSV through a mapping) into usage records, and reconciles billed
// usage with logged usage.
//
// # Reading
//
// A Reader is shaped like bufio.Scanner: NewReader (or Open) reads the header
// row and detects the format, then Scan until it returns false, taking each
// record with Record, and finally Err. Files stream through encoding/csv one row
// at a time; only the records of a Console export are held (see below). A UTF-8 byte-order mark,
// CRLF line ends, quoted cells with commas and gzip compression (recognised by
// its magic bytes, so "-" can be a .csv.gz too) are handled. A file with no
// header row is ErrEmpty; a file with only a header has no records. Files lists
// the *.csv and *.csv.gz files of a directory.
//
// # Formats
//
// The format is detected from the header row (column names compared trimmed and
// in any letter case, in any order); known formats are tried first, then the
// mapping if one is given. A header that matches none is a *HeaderError naming
// the file, the formats tried, and --csv-map. Columns a format does not know are
// listed in Header.Ignored.
//
//   - Console usage export (claude_api_tokens_*.csv), Source "api-billing": one
//     record per row with its tokens (usage_input_tokens_no_cache is Input), web
//     searches, usage_type as Tier, inference_geo, speed and the context band.
//     Version v1 has no context_window, inference_geo and speed; v2 has them.
//     Dates are daily (2026-03-31) or hourly (2026-03-31 02:00), in UTC.
//   - Console cost export (claude_api_cost_*.csv), Source "api-cost": long format,
//     one amount per row. cost_usd goes into the Billed field of its token_type
//     (input_no_cache: Input, output: Output, input_cache_write_5m and _1h:
//     CacheWrite, input_cache_read: CacheRead) or, for cost_type web_search,
//     WebSearch; such rows name no model and get WebSearchModel. The records have
//     no token counts. Header versions 2024 (no context_window, cost_type),
//     2025-12, 2026-02 (inference_geo, speed) and 2026-mid (list_price_usd, not
//     read) are read.
//   - OpenRouter activity export, Source "openrouter": one record per generation of
//     an anthropic/ model (other models are counted in Stats.Skipped), with
//     tokens_prompt minus tokens_cached as Input, tokens_cached as CacheRead (0 in
//     older files without the column) and tokens_completion (reasoning included)
//     as Output; OpenRouter does not report cache writes apart, so they are in
//     Input. Billed holds cost_total: cost_web_search in WebSearch and the rest,
//     unsplit, in Input. The time is created_at, read as UTC; the user comes from
//     api_key_name; Key is "openrouter:" + generation_id, so a generation in two
//     overlapping exports is counted once by aggregate.Set.
//   - Mapped (--csv-map), Source "api-billing" unless the mapping says otherwise:
//     the columns the Mapping names; its cost (unsplit) is Billed.Input.
//
// Every record has Count 0: a row stands for an unknown number of API
// responses. A model is the canonical id when pricing resolves the name
// (Console display names like "Claude Sonnet 4.5" included), else the name as
// written: an unknown model is not an error, pricing reports it. "--" (not
// applicable) reads as empty; an empty model is NoModel.
//
// # Same rows, revised exports
//
// A Console usage or cost export is read whole on the first Scan (memory grows
// with its distinct rows, not its size). Rows that are the same row of the bill
// (the same date or hour, model, API key, workspace, usage_type, context band,
// inference_geo, speed, and for cost exports token_type and cost_type) are
// summed into one record (the cost export repeats some; Stats.Merged counts
// them), and every record gets a Key, RowKeyPrefix and a hash of that identity,
// and the file's Rev: the end of the last day or hour the file covers, then
// its modification time (Options.ModTime). So one deduplicating set
// (aggregate.Set, usage.Better) counts an export named twice once, and a newer
// export that covers a day again replaces that day's rows instead of adding to
// them. A row the newer export no longer has is kept from the older one.
// OpenRouter rows keep their generation keys; mapped rows have no key.
//
// A record's Billed amount, when it has one, is the money; its tokens (OpenRouter
// and mapped rows can have both) are for counting and comparing.
//
// Context band: "≤ 200k" is usage.ContextStandard, the band above it (like
// "200k-1M" or "> 200k") usage.ContextLong. An empty cell, or a file without the
// column, is also ContextStandard, not ContextAuto: a row sums many requests, so
// its own prompt input says nothing about any one request (deciding the tier
// from it would reprice every busy day at long-context rates). OpenRouter rows
// are single requests and keep ContextAuto.
//
// # Users
//
// By default a record's user comes from the API key's name: a key the Console
// made for Claude Code, "claude_code_key_<user>_<suffix>", stands for <user>
// (which may contain underscores: the prefix and the last "_" part are dropped);
// any other key stands for its name; an empty key is NoUser. With
// Options.UserFrom "workspace" the workspace is the user (formats without one use
// the key). Options.UserMap (LoadUserMap, a "key,user" CSV) then renames: it is
// looked up with the name as written, then with the derived user. Options.User,
// the NAME of --csv NAME=PATH, overrides all of these.
//
// # Bad input
//
// A cell that cannot be read (a count that is not a whole number from 0 to
// usage.MaxTokens, or usage.MaxSearches for searches, an amount that is not a
// finite number within usage.MaxUSD either way, a bad date, an unknown token
// type or context band) or a row that is not well-formed CSV stops
// the scan with a *RowError, "file:line:column: column-name: message (value
// "...")", where line is the physical line in the file and column the 1-based
// cell number. With Options.SkipBadRows such rows are counted (Stats.Bad), the
// first MaxBadRows kept (BadRows), and the rest is read. Empty and "--" counts and
// amounts are zero.
//
// # The mapping file
//
// A --csv-map file (LoadMapping) is JSON naming the columns of an export that is
// not a known format. Only columns.date is required, with at least one token
// column or cost; every column named must be in the header:
//
//	{
//	  "name": "acme reseller",
//	  "columns": {
//	    "date": "day",
//	    "model": "model_name",
//	    "user": "customer",
//	    "input": "prompt_tokens",
//	    "output": "completion_tokens",
//	    "cache_write_5m": "cache_creation_tokens",
//	    "cache_write_1h": "",
//	    "cache_read": "cached_tokens",
//	    "web_search": "searches",
//	    "cost": "amount_cents"
//	  },
//	  "date_layout": "01/02/2006",
//	  "default_model": "claude-sonnet-4-5",
//	  "cost_scale": 0.01,
//	  "source": "api-billing"
//	}
//
// date_layout is a Go time layout (default: the dates above, or RFC 3339);
// default_model is the model of rows without one; cost_scale turns the cost
// column into USD (default 1); the user column is read like an api_key name.
// Unknown fields are errors. Rows of a mapped file are taken as sums (the
// standard context band), and tokens are whole numbers.
//
// # Reconcile
//
// Reconcile compares per user-month Totals of the logs with those of the bill:
// each token class and the cost, with the difference in percent, and a one-line
// reading (logs before Claude Code 2.1.97 undercount output tokens; the bill is
// the truth for money). It does no I/O.
package billing
