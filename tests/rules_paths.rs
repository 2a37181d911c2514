mod rules_support;
