import { ADULT, ADULT_UNISEX, APPAREL_SIZES, COLORS, KIDS_AGES, METAL_COLORS, SHOE_SIZES, type DepartmentSpec } from './taxonomy.ts';

/** The demo catalog's departments: 8 top-level categories with 5 leaves each. Brand names are invented. */
export const DEPARTMENTS: readonly DepartmentSpec[] = [
  {
    name: 'Electronics',
    hue: 210,
    uses: ['everyday use', 'work and play', 'home and office', 'life on the go', 'entertainment at home'],
    leaves: [
      { name: 'Headphones', brands: 'Sonora|Auralis|Bassline|Quietwave|Hertzfeld|Veloce Audio|Tunemark|Echonix', nouns: 'Wireless Over-Ear Headphones|True Wireless Earbuds|On-Ear Headphones|Sport Earbuds', adjectives: 'Active Noise Cancelling|Bluetooth 5.3|40-Hour Battery|Hi-Res Audio|Sweat Resistant|Foldable', price: [19, 399], attributes: { color: METAL_COLORS, connectivity: ['Bluetooth', 'Wired', 'Bluetooth + Wired'], battery_hours: ['8', '20', '30', '40', '60'] }, titleAttribute: 'color', models: true },
      { name: 'Bluetooth Speakers', brands: 'Boomcraft|Auralis|Sonora|Pulsewave|Ridgeback Audio|Tunemark', nouns: 'Portable Bluetooth Speaker|Waterproof Speaker|Smart Speaker|Party Speaker', adjectives: 'IPX7 Waterproof|360° Sound|Deep Bass|24-Hour Playtime|Built-in Mic|Stereo Pairing', price: [25, 349], attributes: { color: COLORS, wattage: ['10W', '20W', '30W', '60W', '120W'], waterproof: ['IPX4', 'IPX5', 'IPX7'] }, titleAttribute: 'color', models: true },
      { name: 'Laptops', brands: 'Nimbus|Corvex|Altura|Lumeo|Stratabook|Kestrel', nouns: 'Laptop|Ultrabook|2-in-1 Touchscreen Laptop|Gaming Laptop', adjectives: '14" FHD|15.6" IPS|16GB RAM|512GB SSD|Backlit Keyboard|Thin and Light', price: [349, 2499], attributes: { color: METAL_COLORS, memory: ['8GB', '16GB', '32GB'], storage: ['256GB SSD', '512GB SSD', '1TB SSD'], screen: ['13.3"', '14"', '15.6"', '16"'] }, titleAttribute: 'storage', models: true },
      { name: 'Monitors', brands: 'Viewcrest|Corvex|Pixelon|Lumeo|Clarion Display|Opticore', nouns: 'Computer Monitor|Curved Gaming Monitor|Ultrawide Monitor|Portable Monitor', adjectives: '27" QHD|4K UHD|144Hz|IPS Panel|Eye Care|Height Adjustable', price: [99, 1199], attributes: { size: ['24"', '27"', '32"', '34"'], resolution: ['1920x1080', '2560x1440', '3840x2160'], refresh_rate: ['60Hz', '75Hz', '144Hz', '165Hz'] }, titleAttribute: 'size', models: true },
      { name: 'Phone Accessories', brands: 'Gripwell|Voltcase|Chargely|Armorline|Snapjack|Lumeo|Pocketry', nouns: 'Phone Case|Fast Wall Charger|Wireless Charging Pad|USB-C Cable|Power Bank', adjectives: 'Shockproof|MagSafe Compatible|65W GaN|Slim Fit|Braided|Military Grade Drop Tested', price: [8, 89], attributes: { color: COLORS, compatibility: ['iPhone 15', 'iPhone 14', 'Galaxy S24', 'Pixel 8', 'Universal'] }, titleAttribute: 'color' },
    ],
  },
  {
    name: 'Home & Kitchen',
    hue: 28,
    uses: ['everyday use', 'busy households', 'small apartments', 'entertaining guests', 'a comfortable home'],
    leaves: [
      { name: 'Cookware', brands: 'Ironhearth|Copperleaf|Panterra|Chef Mason|Searwell|Kitchenry|Oakbrook', nouns: 'Nonstick Frying Pan|Cast Iron Skillet|Stainless Steel Cookware Set|Dutch Oven|Saucepan with Lid', adjectives: 'Induction Compatible|Oven Safe to 500°F|PFOA-Free|Dishwasher Safe|Tri-Ply|Pre-Seasoned', price: [19, 399], attributes: { material: ['Stainless Steel', 'Cast Iron', 'Hard-Anodized Aluminum', 'Ceramic', 'Copper'], size: ['8"', '10"', '12"', '5.5 qt', '10-Piece'], color: ['Black', 'Silver', 'Red', 'Blue', 'Gray'] }, titleAttribute: 'size' },
      { name: 'Coffee Makers', brands: 'Brewhaus|Morningside|Crema & Co|Perkwell|Baristo|Kettlebird', nouns: 'Drip Coffee Maker|Espresso Machine|Single-Serve Coffee Maker|Pour-Over Kettle|Cold Brew Maker', adjectives: 'Programmable|12-Cup|Thermal Carafe|Milk Frother|Auto Shut-Off|Stainless Steel', price: [24, 699], attributes: { color: ['Black', 'Stainless', 'White', 'Red'], capacity: ['1 cup', '5 cups', '10 cups', '12 cups', '1.7 L'], wattage: ['900W', '1000W', '1200W', '1500W'] }, titleAttribute: 'color', models: true },
      { name: 'Bedding', brands: 'Slumberly|Linenfold|Cloudnest|Dreamhaven|Pure Loom|Northwind Home|Softacre', nouns: 'Sheet Set|Down Alternative Comforter|Duvet Cover Set|Memory Foam Pillow|Weighted Blanket', adjectives: '100% Cotton|400 Thread Count|Cooling|Deep Pocket|Hypoallergenic|Machine Washable', price: [19, 249], attributes: { size: ['Twin', 'Full', 'Queen', 'King', 'California King'], color: COLORS, material: ['Cotton', 'Microfiber', 'Linen', 'Bamboo', 'Flannel'] }, titleAttribute: 'size' },
      { name: 'Vacuums', brands: 'Dustral|Cyclonix|Sweepwise|Tidewell|Aeroclean|Hoovmark', nouns: 'Cordless Stick Vacuum|Robot Vacuum|Upright Vacuum|Handheld Vacuum|Wet Dry Vacuum', adjectives: 'Bagless|HEPA Filter|Pet Hair|60-Minute Runtime|Self-Emptying|Lightweight', price: [39, 899], attributes: { color: ['Gray', 'Purple', 'Black', 'White', 'Red'], power_source: ['Battery', 'Corded'], runtime_minutes: ['25', '40', '60', '90', '120'] }, titleAttribute: 'color', models: true },
      { name: 'Kitchen Knives', brands: 'Edgemont|Kirameki|Steelhart|Chef Mason|Bladewright|Honecraft', nouns: "Chef's Knife|Santoku Knife|Knife Block Set|Paring Knife|Bread Knife", adjectives: 'German Steel|Damascus Pattern|Full Tang|Razor Sharp|Ergonomic Handle|Forged', price: [12, 349], attributes: { blade_length: ['3.5"', '5"', '7"', '8"', '10"'], material: ['High-Carbon Stainless Steel', 'VG-10 Steel', 'Ceramic'], handle: ['Pakkawood', 'Polymer', 'Olive Wood', 'Stainless Steel'] }, titleAttribute: 'blade_length' },
    ],
  },
  {
    name: 'Sports & Outdoors',
    hue: 130,
    uses: ['active lifestyles', 'weekend adventures', 'serious training', 'beginners and pros alike', 'everyday fitness'],
    leaves: [
      { name: 'Running Shoes', brands: 'Stridelite|Pacera|Fleetfoot|Trailmark|Cadence Athletics|Northpeak|Vantor', nouns: 'Trail Running Shoe|Road Running Shoe|Cushioned Running Shoe|Racing Flat', adjectives: 'Lightweight|Breathable Mesh|Responsive Foam|Wide Toe Box|Waterproof|Non-Slip', price: [45, 220], attributes: { size: SHOE_SIZES, color: COLORS, width: ['Regular', 'Wide'] }, titleAttribute: 'size', audiences: ADULT },
      { name: 'Yoga Mats', brands: 'Lotusflow|Zenpath|Balancea|Groundwork|Asana Supply', nouns: 'Yoga Mat|Exercise Mat|Travel Yoga Mat|Yoga Mat with Strap', adjectives: 'Non-Slip|Extra Thick|Eco-Friendly TPE|Alignment Lines|Sweat Resistant', price: [15, 129], attributes: { color: COLORS, thickness: ['3mm', '6mm', '8mm', '10mm'], material: ['TPE', 'Natural Rubber', 'PVC', 'Cork'] }, titleAttribute: 'thickness' },
      { name: 'Tents', brands: 'Northpeak|Campwright|Alpenglow|Basecamp Co|Timberline Gear|Ridgeway', nouns: 'Dome Tent|Backpacking Tent|Instant Cabin Tent|Family Camping Tent', adjectives: 'Waterproof|Easy Setup|Ultralight|3-Season|Rainfly Included|Double Wall', price: [49, 699], attributes: { capacity: ['1-Person', '2-Person', '4-Person', '6-Person', '8-Person'], season: ['3-Season', '4-Season'], color: ['Green', 'Orange', 'Gray', 'Blue', 'Sand'] }, titleAttribute: 'capacity' },
      { name: 'Hiking Backpacks', brands: 'Trailmark|Alpenglow|Packwell|Summit & Strand|Ridgeway|Northpeak', nouns: 'Hiking Backpack|Daypack|Hydration Pack|Internal Frame Pack', adjectives: 'Water Resistant|Ventilated Back Panel|Rain Cover|Lightweight|Hip Belt Pockets', price: [29, 329], attributes: { volume: ['20L', '28L', '35L', '50L', '65L'], color: COLORS, material: ['Ripstop Nylon', 'Polyester', 'Cordura'] }, titleAttribute: 'volume', audiences: ADULT_UNISEX },
      { name: 'Dumbbells', brands: 'Ironclad Fitness|Repmax|Forgeflex|Titanbar|Corestrong', nouns: 'Adjustable Dumbbell|Hex Dumbbell|Neoprene Dumbbell Set|Dumbbell Pair', adjectives: 'Rubber Coated|Quick Adjust|Knurled Handle|Anti-Roll|Space Saving', price: [15, 449], attributes: { weight: ['5 lb', '10 lb', '15 lb', '25 lb', '52.5 lb', '90 lb'], material: ['Cast Iron', 'Rubber', 'Neoprene', 'Steel'] }, titleAttribute: 'weight' },
    ],
  },
  {
    name: 'Clothing & Shoes',
    hue: 330,
    uses: ['everyday wear', 'weekends out', 'the office', 'cooler evenings', 'travel'],
    leaves: [
      { name: 'T-Shirts', brands: 'Threadline|Basic Union|Harbor & Pine|Cotton Republic|Everwear|Kindred Supply|Mossfield', nouns: 'Crew Neck T-Shirt|V-Neck T-Shirt|Graphic Tee|Pocket T-Shirt|Performance Tee', adjectives: 'Classic Fit|Slim Fit|Soft Cotton|Moisture Wicking|Tagless|Pre-Shrunk', price: [9, 49], attributes: { size: APPAREL_SIZES, color: COLORS, material: ['Cotton', 'Cotton Blend', 'Polyester', 'Tri-Blend'] }, titleAttribute: 'color', audiences: ADULT },
      { name: 'Jeans', brands: 'Indigo Row|Denimcraft|Rivet & Thread|Harbor & Pine|Selvedge Co|Westbound', nouns: 'Straight Leg Jeans|Slim Fit Jeans|Relaxed Fit Jeans|Bootcut Jeans|Skinny Jeans', adjectives: 'Stretch Denim|Classic 5-Pocket|Mid Rise|High Rise|Stone Wash', price: [24, 129], attributes: { waist: ['28', '30', '32', '34', '36', '38'], inseam: ['28', '30', '32', '34'], color: ['Dark Wash', 'Medium Wash', 'Light Wash', 'Black', 'Gray'] }, titleAttribute: 'color', audiences: ADULT },
      { name: 'Jackets', brands: 'Northpeak|Stormline|Fieldhouse|Harbor & Pine|Altitude Apparel|Westbound|Ember & Ash', nouns: 'Puffer Jacket|Rain Jacket|Fleece Jacket|Softshell Jacket|Denim Jacket', adjectives: 'Water Resistant|Packable|Hooded|Windproof|Insulated|Lightweight', price: [29, 349], attributes: { size: APPAREL_SIZES, color: COLORS, material: ['Nylon', 'Polyester', 'Fleece', 'Denim', 'Down'] }, titleAttribute: 'color', audiences: ADULT },
      { name: 'Sneakers', brands: 'Courtline|Vantor|Kicksmith|Urban Stride|Pacera|Solewell', nouns: 'Low Top Sneaker|Canvas Sneaker|Slip-On Sneaker|High Top Sneaker|Leather Sneaker', adjectives: 'Memory Foam Insole|Classic|Lightweight|Cushioned|Everyday', price: [29, 179], attributes: { size: SHOE_SIZES, color: COLORS, material: ['Leather', 'Canvas', 'Knit', 'Suede'] }, titleAttribute: 'size', audiences: ADULT_UNISEX },
      { name: 'Watches', brands: 'Horologe|Meridian Time|Tidewatch|Ashford & Vale|Chronex|Solstice', nouns: 'Analog Watch|Chronograph Watch|Dive Watch|Smartwatch|Minimalist Watch', adjectives: 'Water Resistant 100m|Sapphire Crystal|Stainless Steel Case|Leather Strap|Quartz Movement|Automatic', price: [29, 899], attributes: { color: METAL_COLORS, case_size: ['36mm', '40mm', '42mm', '44mm'], band: ['Leather', 'Stainless Steel', 'Silicone', 'Mesh'] }, titleAttribute: 'case_size', audiences: ADULT_UNISEX, models: true },
    ],
  },
  {
    name: 'Beauty & Personal Care',
    hue: 285,
    uses: ['daily routines', 'travel', 'at-home self-care', 'busy mornings', 'gifting'],
    leaves: [
      { name: 'Skin Care', brands: 'Dewlab|Purelle|Botanica Skin|Clearleaf|Luminea|Maison Verre|Aloha Glow', nouns: 'Hydrating Face Moisturizer|Vitamin C Serum|Gentle Facial Cleanser|Retinol Night Cream|Mineral Sunscreen SPF 50', adjectives: 'Fragrance-Free|Hyaluronic Acid|Dermatologist Tested|Non-Comedogenic|Vegan', price: [8, 89], attributes: { volume: ['1 fl oz', '1.7 fl oz', '2 fl oz', '4 fl oz', '8 fl oz'], skin_type: ['All', 'Dry', 'Oily', 'Sensitive', 'Combination'] }, titleAttribute: 'volume' },
      { name: 'Hair Dryers', brands: 'Blowline|Salonique|Airluxe|Ionica|Velvette', nouns: 'Hair Dryer|Travel Hair Dryer|Hot Air Brush|Diffuser Hair Dryer', adjectives: 'Ionic|1875W|Fast Drying|Ceramic|Low Noise|Cool Shot', price: [19, 429], attributes: { color: ['Black', 'Pink', 'White', 'Rose Gold', 'Purple'], wattage: ['1200W', '1600W', '1875W', '2000W'] }, titleAttribute: 'color', models: true },
      { name: 'Electric Toothbrushes', brands: 'Brightsmile|Oralux|Sonivo|Dentara|Pearlwave', nouns: 'Sonic Electric Toothbrush|Rechargeable Toothbrush|Kids Electric Toothbrush|Water Flosser', adjectives: '5 Modes|2-Minute Timer|Pressure Sensor|Travel Case|30-Day Battery', price: [19, 249], attributes: { color: ['White', 'Black', 'Pink', 'Blue', 'Mint'], modes: ['3', '4', '5', '6'] }, titleAttribute: 'color', models: true },
      { name: 'Fragrances', brands: 'Maison Verre|Ambreline|Velour Noir|Citrine & Oud|Solenne|Bramble & Bay', nouns: 'Eau de Parfum|Eau de Toilette|Cologne|Body Mist', adjectives: 'Long Lasting|Floral|Woody|Fresh Citrus|Warm Amber', price: [15, 189], attributes: { volume: ['1 fl oz', '1.7 fl oz', '3.4 fl oz', '8 fl oz'], scent: ['Floral', 'Woody', 'Citrus', 'Amber', 'Fresh'] }, titleAttribute: 'volume', audiences: ["Men's", "Women's", 'Unisex'] },
      { name: 'Shavers', brands: 'Razorline|Groomsmith|Edgefield Co|Clipmaster|Smoothgrain', nouns: 'Electric Shaver|Beard Trimmer|Foil Shaver|Hair Clipper Kit|Body Groomer', adjectives: 'Cordless|Wet & Dry|Self-Sharpening Blades|USB Rechargeable|Precision Trimmer', price: [19, 299], attributes: { color: ['Black', 'Silver', 'Blue', 'Gunmetal'], runtime_minutes: ['45', '60', '90', '120'] }, titleAttribute: 'color', audiences: ADULT, models: true },
    ],
  },
  {
    name: 'Toys & Games',
    hue: 48,
    uses: ['family game night', 'rainy afternoons', 'birthday gifts', 'creative play', 'classrooms'],
    leaves: [
      { name: 'Building Sets', brands: 'Brickworks|Buildora|Snapblox|Tinker Town|Constructo', nouns: 'Building Set|Castle Building Kit|Space Station Set|City Builder Set|STEM Building Kit', adjectives: 'Compatible with Major Brands|Creative|Educational|Collectible|Motorized', price: [12, 249], attributes: { pieces: ['150', '320', '560', '1,024', '2,500'], age: KIDS_AGES }, titleAttribute: 'age' },
      { name: 'Board Games', brands: 'Gameworth Hall|Meeple Works|Tabletop Republic|Dicecraft|Boardwalk Games|Quill & Token', nouns: 'Strategy Board Game|Cooperative Board Game|Party Game|Card Game|Family Board Game', adjectives: 'For 2–6 Players|Award Winning|Quick to Learn|60-Minute Play|Expansion Ready', price: [12, 89], attributes: { players: ['1–4', '2–4', '2–6', '3–8', '4+'], age: KIDS_AGES, play_time: ['15 min', '30 min', '60 min', '90 min'] }, titleAttribute: 'age' },
      { name: 'Puzzles', brands: 'Piecewise|Jigsaw Hollow|Cobblestone Co|Puzzlemark|Mosaic Mill', nouns: 'Jigsaw Puzzle|3D Puzzle|Wooden Puzzle|Floor Puzzle', adjectives: 'Landscape|Vintage Poster|Glossy Finish|Premium Pieces|Recycled Board', price: [9, 49], attributes: { pieces: ['100', '300', '500', '1000', '2000'], age: KIDS_AGES }, titleAttribute: 'pieces' },
      { name: 'Action Figures', brands: 'Herocraft|Titan Toys|Galaxy Guard|Mythforge|Poseable Co', nouns: 'Action Figure|Deluxe Action Figure|Figure 2-Pack|Collector Figure', adjectives: '6-Inch|Fully Articulated|With Accessories|Limited Edition|Glow in the Dark', price: [9, 79], attributes: { height: ['4"', '6"', '7"', '12"'], age: KIDS_AGES }, titleAttribute: 'height' },
      { name: 'RC Cars', brands: 'Turbo Tread|Racerline|Voltrix RC|Dirtkicker|Swiftwheel', nouns: 'Remote Control Car|RC Monster Truck|RC Drift Car|RC Rock Crawler', adjectives: '4WD|High Speed 30 mph|All Terrain|Rechargeable Battery|2.4GHz', price: [25, 299], attributes: { scale: ['1:10', '1:12', '1:16', '1:18', '1:24'], color: ['Red', 'Blue', 'Green', 'Orange', 'Black'] }, titleAttribute: 'scale', models: true },
    ],
  },
  {
    name: 'Tools & Home Improvement',
    hue: 0,
    uses: ['DIY projects', 'weekend repairs', 'professional job sites', 'home renovations', 'garage workshops'],
    leaves: [
      { name: 'Power Drills', brands: 'Torqmaster|Voltedge|Ironhand|Drillcraft|Pro Forge|Bolt & Brace', nouns: 'Cordless Drill Driver|Hammer Drill|Impact Driver|Drill Combo Kit', adjectives: '20V Max|Brushless Motor|2 Batteries Included|LED Work Light|Compact', price: [39, 399], attributes: { voltage: ['12V', '18V', '20V', '24V'], battery: ['1.5Ah', '2.0Ah', '4.0Ah', '5.0Ah'], color: ['Yellow', 'Red', 'Blue', 'Teal', 'Orange'] }, titleAttribute: 'voltage', models: true },
      { name: 'Hand Tool Sets', brands: 'Ironhand|Wrenchworks|Stanford & Kell|Toolbridge|Gearsmith', nouns: 'Mechanics Tool Set|Home Tool Kit|Socket Set|Screwdriver Set', adjectives: 'Chrome Vanadium|With Carrying Case|Ratcheting|SAE and Metric|Lifetime Warranty', price: [15, 299], attributes: { pieces: ['24', '65', '108', '145', '230'], material: ['Chrome Vanadium Steel', 'S2 Steel', 'Carbon Steel'] }, titleAttribute: 'pieces' },
      { name: 'LED Light Bulbs', brands: 'Brightfield|Lumenco|Glowmark|Daylite|Halcyon Lighting', nouns: 'LED Light Bulb|Smart LED Bulb|Dimmable LED Bulb|Edison Filament Bulb', adjectives: '60W Equivalent|Dimmable|Daylight 5000K|Soft White 2700K|Energy Saving', price: [6, 59], attributes: { pack: ['1', '2', '4', '6', '12', '24'], base: ['E26', 'E12', 'GU10', 'BR30'], color_temperature: ['2700K', '3000K', '4000K', '5000K'] }, titleAttribute: 'pack' },
      { name: 'Ladders', brands: 'Stepwell|Climbright|Ridgeline Ladders|Aluma Pro|Summit Reach', nouns: 'Step Ladder|Extension Ladder|Multi-Position Ladder|Folding Step Stool', adjectives: 'Aluminum|Fiberglass|Non-Slip Treads|300 lb Capacity|Lightweight', price: [29, 449], attributes: { height: ['2 ft', '4 ft', '6 ft', '8 ft', '17 ft', '24 ft'], material: ['Aluminum', 'Fiberglass', 'Steel'] }, titleAttribute: 'height' },
      { name: 'Door Locks', brands: 'Lockhaven|Securis|Keystone Hardware|Deadbolt & Co|Sentrylane', nouns: 'Smart Deadbolt|Keypad Door Lock|Door Knob Set|Lever Handle Set', adjectives: 'Keyless Entry|Fingerprint|Wi-Fi Enabled|Auto-Lock|Satin Nickel', price: [19, 299], attributes: { finish: ['Satin Nickel', 'Matte Black', 'Oil-Rubbed Bronze', 'Polished Brass'], connectivity: ['None', 'Bluetooth', 'Wi-Fi', 'Z-Wave'] }, titleAttribute: 'finish', models: true },
    ],
  },
  {
    name: 'Pet Supplies',
    hue: 175,
    uses: ['happy pets', 'multi-pet homes', 'pets of every age', 'everyday care', 'pet parents on the go'],
    leaves: [
      { name: 'Dog Food', brands: 'Wholesome Paws|Barkfield|Prairie Bowl|Canine Kitchen|Trueheart Pet|Wildmeadow', nouns: 'Dry Dog Food|Grain-Free Dog Food|Puppy Food|Wet Dog Food Variety Pack', adjectives: 'Real Chicken First|High Protein|No Artificial Preservatives|Large Breed|Small Breed', price: [12, 99], attributes: { weight: ['4 lb', '12 lb', '24 lb', '30 lb', '40 lb'], flavor: ['Chicken', 'Beef', 'Salmon', 'Lamb', 'Turkey'] }, titleAttribute: 'weight' },
      { name: 'Cat Litter', brands: 'Clumpwell|Freshpaw|Kittygrove|Pure Pine Pet|Whiskerclean', nouns: 'Clumping Cat Litter|Unscented Cat Litter|Natural Pine Litter|Crystal Cat Litter', adjectives: 'Odor Control|Low Dust|Multi-Cat|Lightweight|99% Dust Free', price: [9, 45], attributes: { weight: ['10 lb', '20 lb', '28 lb', '40 lb'], scent: ['Unscented', 'Fresh Scent', 'Lavender'] }, titleAttribute: 'weight' },
      { name: 'Pet Beds', brands: 'Snoozepaw|Cozyden|Fernhaven Home|Restwell Pet|Napnest', nouns: 'Orthopedic Dog Bed|Calming Donut Bed|Cat Cave Bed|Elevated Pet Cot', adjectives: 'Memory Foam|Washable Cover|Non-Slip Bottom|Waterproof Liner|Plush', price: [19, 189], attributes: { size: ['Small', 'Medium', 'Large', 'X-Large'], color: ['Gray', 'Brown', 'Beige', 'Navy', 'Pink'] }, titleAttribute: 'size' },
      { name: 'Pet Toys', brands: 'Chewmaster|Playpaw|Fetchly|Tuggins|Whisker Wonders', nouns: 'Chew Toy|Squeaky Plush Toy|Interactive Cat Toy|Rope Tug Toy|Ball Launcher', adjectives: 'Durable|Tough Chewer|Interactive|Non-Toxic|Treat Dispensing', price: [5, 59], attributes: { size: ['Small', 'Medium', 'Large'], pack: ['1', '3', '5', '12'] }, titleAttribute: 'pack' },
      { name: 'Leashes & Collars', brands: 'Leadwell|Trailhound|Collarcraft|Pawsport|Walkabout Pet', nouns: 'Dog Leash|Adjustable Dog Collar|No-Pull Harness|Retractable Leash', adjectives: 'Reflective|Padded Handle|Heavy Duty|Quick Release|Waterproof', price: [8, 69], attributes: { size: ['XS', 'S', 'M', 'L', 'XL'], color: COLORS }, titleAttribute: 'color' },
    ],
  },
];
