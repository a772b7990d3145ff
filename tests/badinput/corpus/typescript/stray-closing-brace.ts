export const tiers = [1, 2, 3];

}
export const more = 4;
