CREATE TABLE `write_batches` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL
);
