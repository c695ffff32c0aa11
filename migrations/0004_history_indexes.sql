CREATE TABLE `call_agents` (
	`agent` text NOT NULL,
	`offered_at` integer NOT NULL,
	`call_id` text NOT NULL,
	PRIMARY KEY(`agent`, `offered_at`, `call_id`)
);
--> statement-breakpoint
CREATE INDEX `call_agents_call_idx` ON `call_agents` (`call_id`);--> statement-breakpoint
CREATE INDEX `agent_state_log_ended_idx` ON `agent_state_log` (`ended_at`);--> statement-breakpoint
CREATE INDEX `calls_queue_idx` ON `calls` (`queue_id`,`offered_at`);--> statement-breakpoint
CREATE INDEX `routing_decisions_at_idx` ON `routing_decisions` (`at`);--> statement-breakpoint
-- Appended by hand below (drizzle-kit cannot express triggers; docs/storage.md, "call_agents"):
-- call_agents follows calls.agents on insert, on an update that changes agents (or offered_at),
-- and on delete; then the rows already in calls are copied in once.
CREATE TRIGGER `calls_agents_insert` AFTER INSERT ON `calls` WHEN new.`agents` <> '[]' BEGIN
	INSERT OR IGNORE INTO `call_agents` (`agent`, `offered_at`, `call_id`) SELECT `value`, new.`offered_at`, new.`id` FROM json_each(new.`agents`);
END;
--> statement-breakpoint
CREATE TRIGGER `calls_agents_update` AFTER UPDATE OF `agents`, `offered_at` ON `calls` WHEN new.`agents` IS NOT old.`agents` OR new.`offered_at` IS NOT old.`offered_at` BEGIN
	DELETE FROM `call_agents` WHERE `call_id` = old.`id`;
	INSERT OR IGNORE INTO `call_agents` (`agent`, `offered_at`, `call_id`) SELECT `value`, new.`offered_at`, new.`id` FROM json_each(new.`agents`);
END;
--> statement-breakpoint
CREATE TRIGGER `calls_agents_delete` AFTER DELETE ON `calls` BEGIN
	DELETE FROM `call_agents` WHERE `call_id` = old.`id`;
END;
--> statement-breakpoint
INSERT OR IGNORE INTO `call_agents` (`agent`, `offered_at`, `call_id`) SELECT j.`value`, c.`offered_at`, c.`id` FROM `calls` c, json_each(c.`agents`) j WHERE c.`agents` <> '[]';
