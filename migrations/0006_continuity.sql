CREATE TABLE `daemon_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`started_at` integer NOT NULL,
	`alive_at` integer NOT NULL,
	`stopped_at` integer
);
--> statement-breakpoint
CREATE TABLE `ws_sessions` (
	`resume_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`username` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`detached_at` integer
);
--> statement-breakpoint
CREATE INDEX `ws_sessions_user_idx` ON `ws_sessions` (`user_id`);--> statement-breakpoint
ALTER TABLE `calls` ADD `left_to` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `caller_name` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `call_data` text;