//! Tests of `support::spec_check`, the request checker.
