import { isIsoDate, parseInstant } from './iso';

describe('isIsoDate', () => {
  it.each([
    ['2027-03-14', true],
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2027-3-14', false],
    ['2027-03-14T00:00:00Z', false],
  ])('%p → %p', (value, ok) => {
    expect(isIsoDate(value)).toBe(ok);
  });
});

describe('parseInstant', () => {
  it('keeps the offset it was given', () => {
    expect(parseInstant('2027-03-14T10:00:00-04:00')?.toISO()).toBe(
      '2027-03-14T10:00:00.000-04:00',
    );
    expect(parseInstant('2027-03-14T14:00Z')?.toISO()).toBe('2027-03-14T14:00:00.000Z');
    expect(parseInstant('2027-03-14T10:00:00.250+0530')?.toMillis()).toBe(
      Date.UTC(2027, 2, 14, 4, 30, 0, 250),
    );
  });

  it.each([
    '2027-03-14T10:00:00',
    '2027-03-14',
    '2027-02-30T10:00:00Z',
    'tomorrow',
    '2027-03-14T25:00Z',
  ])('refuses %p (no offset, or not an instant)', (value) => {
    expect(parseInstant(value)).toBeNull();
  });
});
