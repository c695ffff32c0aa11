CREATE TABLE `qa_forms` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`items` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `qa_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`form_id` integer NOT NULL,
	`per_agent_per_week` integer NOT NULL,
	`min_duration_s` integer DEFAULT 0 NOT NULL,
	`queues` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`form_id`) REFERENCES `qa_forms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `qa_queue` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` text NOT NULL,
	`plan_id` integer NOT NULL,
	`agent` text NOT NULL,
	`week` text NOT NULL,
	`reason` text NOT NULL,
	`assigned_to` text,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `qa_queue_pick_idx` ON `qa_queue` (`recording_id`,`plan_id`);--> statement-breakpoint
CREATE INDEX `qa_queue_status_idx` ON `qa_queue` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `qa_queue_agent_week_idx` ON `qa_queue` (`agent`,`week`);--> statement-breakpoint
CREATE TABLE `qa_scores` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` text NOT NULL,
	`queue_id` integer,
	`agent` text NOT NULL,
	`grader` text NOT NULL,
	`form_id` integer NOT NULL,
	`form_version` integer NOT NULL,
	`items` text NOT NULL,
	`total_centi` integer NOT NULL,
	`comments` text DEFAULT '[]' NOT NULL,
	`corrects` integer,
	`submitted_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `qa_scores_agent_idx` ON `qa_scores` (`agent`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `qa_scores_grader_idx` ON `qa_scores` (`grader`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `qa_scores_recording_idx` ON `qa_scores` (`recording_id`);--> statement-breakpoint
CREATE TABLE `recording_flags` (
	`recording_id` text NOT NULL,
	`by` text NOT NULL,
	`at` integer NOT NULL,
	`reason` text,
	PRIMARY KEY(`recording_id`, `by`),
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `recording_moves` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` text NOT NULL,
	`from_path` text NOT NULL,
	`to_path` text NOT NULL,
	`sha256` text NOT NULL,
	`step` text NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `recording_moves_step_idx` ON `recording_moves` (`step`);