-- The query services upsert resources and read them; nothing deletes a row.
GRANT SELECT, INSERT, UPDATE ON resources TO ${app_role};
