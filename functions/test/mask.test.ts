import { stateIdFor } from '../src/alerts/evaluate';
import { maskPersonalData, redactSecrets } from '../src/platform/mask';

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

  // Phone numbers in every form the issue lists: masked, with the text around them kept as is.
  it.each([
    ['(415) 555-2671', '********71'],
    ['call 4155552671.', 'call ********71.'],
    ['415-555-2671 / 415.555.2671', '********71 / ********71'],
    ['33612345678', '*********78'],
    ['+33 6 12 34 56 78', '+*********78'],
    ['+33612345678', '+*********78'],
    ['06.12.34.56.78 and 06-12-34-56-78', '********78 and ********78'],
    ['+1 (415) 555-2671', '+*********71'],
    ['+44 20 7946 0958', '+**********58'],
    ['tel:+33612345678', 'tel:+*********78'],
  ])('masks the phone number in %s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  // The measured value, percentage, count, amount, id or timestamp next to a phone number is never absorbed.
  it.each([
    ['Form error rate high: +33 6 12 34 56 78 20 % of 10 submits', 'Form error rate high: +*********78 20 % of 10 submits', ['20', '10']],
    ['+33612345678 4 errors', '+*********78 4 errors', ['4']],
    ['+33 6 12 34 56 78 4 times in 24 h', '+*********78 4 times in 24 h', ['4', '24']],
    ['+44 20 7946 0958 and 12', '+**********58 and 12', ['12']],
    ['(415) 555-2671 failed 3 times, 1250.50 EUR', '********71 failed 3 times, 1250.50 EUR', ['3', '1250.50']],
    ['jane@example.com: 40 % (4 errors of 10)', 'j***@e***.com: 40 % (4 errors of 10)', ['40', '4', '10']],
  ])('masks %s and keeps its numbers', (input, expected, numbers) => {
    const masked = maskPersonalData(input);
    expect(masked).toBe(expected);
    for (const number of numbers) expect(masked).toMatch(new RegExp(`(^|[^\\d*])${number.replace('.', '\\.')}(?!\\d)`));
  });

  it.each([
    '2026-11-21T08:00:00Z',
    'amount 1234.56 EUR',
    'run payment-20261121T080000000Z-ab12cd',
    '5 failures (threshold 3)',
    'epoch 1764576000, in ms 1764576000123',
    'value 4155552671 EUR, 4155552671 %, $4155552671',
    'amount 1234567890.50',
    'id 4155552671abc, ch_4155552671, order #4155552671, pi-4155552671',
    'counted 12 of 3400 (40 %), 1 234 567 visits',
    'alert form_error_rate~pd-0123456789abcdef-n1',
    'duration 20261121 ms, 123456789 events',
  ])('leaves %s alone', (input) => {
    expect(maskPersonalData(input)).toBe(input);
  });
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

describe('alert ids of subjects derived from personal data', () => {
  it.each(['jane.doe@example.com', '+33 6 12 34 56 78', 'form of 06.12.34.56.78'])('%s: the hash alone, no trace of the key', (key) => {
    const id = stateIdFor('payment_flow_error_repeated', key);
    expect(id).toMatch(/^payment_flow_error_repeated~pd-[0-9a-f]{16}$/);
    expect(id).not.toMatch(/jane|example|12_34|5678/);
    expect(maskPersonalData(id)).toBe(id);
  });

  it('other keys keep their readable slug', () => {
    expect(stateIdFor('form_error_rate', 'Signup / Step 2')).toMatch(/^form_error_rate~signup_step_2-[0-9a-f]{8}$/);
  });
});
