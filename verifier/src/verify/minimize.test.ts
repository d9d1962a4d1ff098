import { describe, expect, it } from 'vitest';
import { keepAsked } from './minimize.js';

describe('keepAsked (data minimization)', () => {
  const disclosed = {
    family_name: '山田',
    birthdate: '1991-08-14',
    address: { locality: '千代田区', region: '東京都' },
    age_equal_or_over: { '18': true, '20': true },
  };

  it('keeps whole claims, single members and nothing else, naming what it dropped', () => {
    expect(
      keepAsked(disclosed, [
        ['address', 'locality'],
        ['age_equal_or_over', '20'],
      ]),
    ).toEqual({
      kept: { address: { locality: '千代田区' }, age_equal_or_over: { '20': true } },
      dropped: ['address.region', 'age_equal_or_over.18', 'birthdate', 'family_name'],
    });
  });

  it('a path asked whole covers its members, whatever else asks for one of them', () => {
    expect(keepAsked(disclosed, [['address'], ['address', 'locality'], ['birthdate']]).kept).toEqual({
      address: { locality: '千代田区', region: '東京都' },
      birthdate: '1991-08-14',
    });
    expect(keepAsked(disclosed, [['address', 'locality'], ['address']]).kept).toEqual({ address: disclosed.address });
    // A member path after its whole claim adds nothing at another level.
    expect(keepAsked({ locality: 'x', address: { locality: 'y' } }, [['address'], ['address', 'locality']])).toEqual({
      kept: { address: { locality: 'y' } },
      dropped: ['locality'],
    });
  });

  it('a member path does not keep a claim disclosed as a plain value, nor prototype names', () => {
    expect(keepAsked({ address: 'somewhere' }, [['address', 'locality']])).toEqual({ kept: {}, dropped: ['address'] });
    expect(keepAsked({ constructor: 'x' }, [['family_name']])).toEqual({ kept: {}, dropped: ['constructor'] });
  });
});
