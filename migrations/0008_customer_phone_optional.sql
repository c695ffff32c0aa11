PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`phone` text,
	`vip_level` integer DEFAULT 0 NOT NULL,
	`preferred_agent` text,
	`notes` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`customer_number` text,
	`balance_cents` integer DEFAULT 0 NOT NULL,
	`language` text,
	FOREIGN KEY (`preferred_agent`) REFERENCES `users`(`username`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_customers`("id", "name", "phone", "vip_level", "preferred_agent", "notes", "created_at", "updated_at", "customer_number", "balance_cents", "language") SELECT "id", "name", "phone", "vip_level", "preferred_agent", "notes", "created_at", "updated_at", "customer_number", "balance_cents", "language" FROM `customers`;--> statement-breakpoint
DROP TABLE `customers`;--> statement-breakpoint
ALTER TABLE `__new_customers` RENAME TO `customers`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `customers_phone_unique` ON `customers` (`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `customers_customer_number_unique` ON `customers` (`customer_number`);--> statement-breakpoint
CREATE INDEX `customers_preferred_agent_idx` ON `customers` (`preferred_agent`);