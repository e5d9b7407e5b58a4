ALTER TABLE "recharges" ADD COLUMN "soft_failures" integer DEFAULT 0 NOT NULL;
