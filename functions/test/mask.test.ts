import { maskPersonalData, redactSecrets } from '../src/notifications/mask';

describe('maskPersonalData', () => {
  it.each([
    ['contact jane.doe@example.com now', 'contact j***@e***.com now'],
    ['a@b.co.uk', 'a***@b***.uk'],
    ['call +33 6 12 34 56 78', 'call +*********78'],
    ['call 06 12 34 56 78 or 0612345678', 'call ********78 or ********78'],
    ['intl 0044 20 7946 0958', 'intl ************58'],
  ])('masks %s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it.each(['2026-11-21T08:00:00Z', 'amount 1234.56 EUR', 'run payment-20261121T080000000Z-ab12cd', '5 failures (threshold 3)'])(
    'leaves %s alone',
    (input) => {
      expect(maskPersonalData(input)).toBe(input);
    },
  );
});

describe('redactSecrets', () => {
  afterEach(() => {
    delete process.env.SLACK_WEBHOOK_URL;
  });

  it('removes configured secret values and URL credentials', () => {
    process.env.SLACK_WEBHOOK_URL = 'https://hooks.slack.com/services/T1/B2/secret-token';
    expect(redactSecrets('POST https://hooks.slack.com/services/T1/B2/secret-token failed')).toBe('POST [redacted] failed');
    expect(redactSecrets('connect smtp://user:pa55@mail.example.com:465 refused')).toBe('connect smtp://[redacted]@mail.example.com:465 refused');
  });
});
