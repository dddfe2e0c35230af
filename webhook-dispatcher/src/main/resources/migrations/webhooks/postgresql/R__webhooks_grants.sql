-- The dispatchers project subscriptions and deliveries, lease and settle deliveries, and append attempts.
GRANT SELECT, INSERT, UPDATE ON subscriptions, deliveries TO ${app_role};
GRANT SELECT, INSERT ON attempts TO ${app_role};
