ALTER TABLE `users` ADD `phone_id` text;--> statement-breakpoint
ALTER TABLE `users` ADD `phone_pin_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_phone_id_unique` ON `users` (`phone_id`);