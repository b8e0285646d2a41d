// @paypal/payouts-sdk ships no types; vendors/paypal.ts describes the part it uses.
declare module '@paypal/payouts-sdk';
